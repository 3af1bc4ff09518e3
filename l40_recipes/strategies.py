"""Hypothesis strategies for AICR criteria, queries, versions, constraints, overlays and whole catalogs.

>>> from hypothesis import given
>>> from l40_recipes import RecipeError, load_catalog, resolve
>>> from l40_recipes import strategies as l40st
>>> catalog = load_catalog("overlays")                       # doctest: +SKIP
>>> @given(l40st.queries(catalog))                           # doctest: +SKIP
... def test_never_crashes(query):
...     try:
...         resolve(query, catalog=catalog)
...     except RecipeError:
...         pass

Strategies generate only valid values for what they promise: `criteria()` yields values the catalog
(or upstream's enums) knows, `queries()` yields raw user input that may be wrong on purpose, and
`catalogs()` yields small consistent catalogs to write to a directory and load.

Install with the `hypothesis` extra: `pip install 'l40-recipes[hypothesis]'`.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, cast

try:
    from hypothesis import strategies as st
except ImportError as err:  # pragma: no cover - exercised only without the extra
    msg = "l40_recipes.strategies needs hypothesis: pip install 'l40-recipes[hypothesis]'"
    raise ImportError(msg) from err

from hypothesis.errors import InvalidArgument

from ._models import ANY, DIMENSIONS, Criteria, is_wild
from ._semantics import V0_20, AicrVersion, aicr_version as as_aicr_version

if TYPE_CHECKING:
    from pathlib import Path

    from hypothesis.strategies import SearchStrategy

    from ._catalog import Catalog, Registry

__all__ = [
    "CatalogFiles",
    "catalogs",
    "constraint_expressions",
    "criteria",
    "overlay_documents",
    "queries",
    "version_strings",
]

_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "service": ("self-managed", "self", "vanilla", "openshift", ""),
    "os": ("al2", "al2023"),
}
_OPERATORS: Final = (">=", "<=", ">", "<", "==", "!=", "=", "")
_COMPONENT_NAMES: Final = (
    "cert-manager",
    "gpu-operator",
    "nfd",
    "kube-prometheus-stack",
    "agentgateway",
    "dynamo-platform",
)


def _release(catalog: Catalog | None, aicr_version: AicrVersion | str | None) -> AicrVersion:
    """The release whose criteria values are drawn: the one asked for, else the catalog's, else 0.20."""
    chosen = as_aicr_version(aicr_version)
    if chosen is not None:
        return chosen
    return catalog.aicr_version if catalog is not None else V0_20


def _values(catalog: Catalog | None, dimension: str, release: AicrVersion) -> list[str]:
    known = set(release.enum_values[dimension])
    if catalog is not None:
        known |= set(catalog.known_values.get(dimension, ()))
    return sorted(known)


def criteria(
    catalog: Catalog | None = None, *, wildcards: bool = True, aicr_version: AicrVersion | str | None = None
) -> SearchStrategy[Criteria]:
    """Parsed queries: each dimension a value upstream or *catalog* knows, or `any` when *wildcards*.

    Upstream's values are those of *aicr_version* (`"0.20"`, `"1.0"`); default: the catalog's
    release, or 0.20 without a catalog.

    At least one dimension is stated, as the CLI requires.
    """
    if not isinstance(cast("object", wildcards), bool):  # for untyped callers: `wildcards=0` is no flag
        msg = f"wildcards={wildcards!r} must be a bool"
        raise InvalidArgument(msg)
    release = _release(catalog, aicr_version)

    def dimension(name: str) -> SearchStrategy[str]:
        values = st.sampled_from(_values(catalog, name, release))
        return st.one_of(st.just(ANY), values) if wildcards else values

    built = st.builds(Criteria, **{name: dimension(name) for name in DIMENSIONS})
    independent = built.filter(lambda item: any(getattr(item, name) != ANY for name in DIMENSIONS))
    if catalog is None:
        return independent
    # Half of the time, a projection of an overlay's own criteria: the queries that reach recipes.
    stated = sorted(
        {
            tuple((name, value) for name in DIMENSIONS if not is_wild(value := getattr(overlay.criteria, name)))
            for overlay in catalog.overlays.values()
            if overlay.criteria is not None
        },
    )
    if not stated or not any(stated):
        return independent
    projections = st.sampled_from([items for items in stated if items]).flatmap(
        lambda items: st.lists(st.sampled_from(items), min_size=1, unique=True).map(
            lambda chosen: Criteria.model_validate(dict.fromkeys(DIMENSIONS, ANY) | dict(chosen)),
        ),
    )
    return st.one_of(projections, independent)


def _spelled(value: str) -> SearchStrategy[str]:
    """*value* as a user might type it: any case, padded with whitespace."""
    cased = st.sampled_from([value, value.upper(), value.title(), value.swapcase()])
    pad = st.sampled_from(["", " ", "  ", "\t"])
    return st.tuples(pad, cased, pad).map("".join)


def queries(
    catalog: Catalog | None = None, *, valid_only: bool = False, aicr_version: AicrVersion | str | None = None
) -> SearchStrategy[dict[str, object]]:
    """Raw keyword arguments for `resolve(**query)`: odd case, whitespace, aliases, `gpu`, unknown values.

    With *valid_only*, every value parses (but may still name a combination no overlay provides).
    Values are *aicr_version*'s (default: the catalog's release, or 0.20).
    """
    release = _release(catalog, aicr_version)

    def raw(name: str) -> SearchStrategy[object]:
        options: list[SearchStrategy[object]] = [st.sampled_from(_values(catalog, name, release)).flatmap(_spelled)]
        options.append(st.sampled_from([*_ALIASES.get(name, ()), ANY]))
        if not valid_only:
            options.append(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_. ", max_size=12))
        return st.one_of(options)

    keys = st.fixed_dictionaries({}, optional={name: raw(name) for name in DIMENSIONS})
    nodes = st.one_of(st.none(), st.integers(min_value=0 if valid_only else -2, max_value=64))

    def assemble(parts: tuple[dict[str, object], object, bool]) -> dict[str, object]:
        values, node_count, gpu = parts
        query = dict(values)
        if gpu and "accelerator" in query:
            query["gpu"] = query.pop("accelerator")
        if node_count is not None:
            query["nodes"] = node_count
        return query

    return st.tuples(keys, nodes, st.booleans()).map(assemble)


def version_strings(*, style: str = "any") -> SearchStrategy[str]:
    """Versions in upstream's grammar: `1.32`, `v24.6.0`, `1.32.4-eks-3025e55`, `1.34.3-gke.100`.

    *style* is `plain`, `v-prefixed`, `vendor` (with a vendor or GKE suffix) or `any`.
    """
    styles = ("plain", "v-prefixed", "vendor", "any")
    if style not in styles:
        msg = f"style={style!r} must be one of {', '.join(styles)}"
        raise InvalidArgument(msg)
    number = st.integers(min_value=0, max_value=40)
    core = st.lists(number, min_size=1, max_size=3).map(lambda parts: ".".join(map(str, parts)))
    suffix = st.one_of(
        st.builds(lambda n: f"-gke.{n}", st.integers(min_value=0, max_value=5000)),
        st.sampled_from(["-eks-3025e55", "-1028-aws", "+k3s1", "-rc.1"]),
    )
    plain = core
    prefixed = core.map(lambda text: f"v{text}")
    vendor = st.tuples(st.one_of(plain, prefixed), suffix).map("".join)
    return {"plain": plain, "v-prefixed": prefixed, "vendor": vendor, "any": st.one_of(plain, prefixed, vendor)}[style]


def constraint_expressions() -> SearchStrategy[str]:
    """Constraint values: an operator (or none) and a version or a plain word, spaced as people write them."""
    operand = st.one_of(version_strings(), st.sampled_from(["ubuntu", "24.04", "true", "Qwen/Qwen3-8B"]))
    return st.tuples(st.sampled_from(_OPERATORS), st.sampled_from(["", " "]), operand).map("".join)


def _component_names(registry: Registry | None) -> list[str]:
    if registry is None:
        return list(_COMPONENT_NAMES)
    return sorted(component.name for component in registry.document.components)


def overlay_documents(
    registry: Registry | None = None, *, name: str = "generated", aicr_version: AicrVersion | str | None = None
) -> SearchStrategy[dict[str, Any]]:
    """RecipeMetadata documents (as YAML-ready dicts) whose componentRefs name registry components.

    Headers and criteria values are *aicr_version*'s (default 0.20).
    """
    release = as_aicr_version(aicr_version) or V0_20
    names = _component_names(registry)
    ref = st.fixed_dictionaries(
        {"name": st.sampled_from(names), "type": st.just("Helm")},
        optional={
            "overrides": st.dictionaries(
                st.sampled_from(["enabled", "replicas", "image", "driver"]), st.one_of(st.booleans(), st.integers(0, 9))
            ),
            "dependencyRefs": st.lists(st.sampled_from(names), max_size=2, unique=True),
        },
    )
    crit = st.fixed_dictionaries(
        {}, optional={dimension: st.sampled_from(release.enum_values[dimension]) for dimension in DIMENSIONS}
    )
    phase = st.fixed_dictionaries(
        {}, optional={"checks": st.lists(st.sampled_from(["platform-health", "gpu-operator-health"]), max_size=2)}
    )
    spec = st.fixed_dictionaries(
        {"criteria": crit},
        optional={
            "componentRefs": st.lists(ref, max_size=3),
            "constraints": st.lists(
                st.fixed_dictionaries({"name": st.just("K8s.server.version"), "value": constraint_expressions()}),
                max_size=1,
            ),
            "validation": st.fixed_dictionaries({}, optional={"conformance": phase, "deployment": phase}),
        },
    )
    return spec.map(
        lambda body: {
            "kind": "RecipeMetadata",
            "apiVersion": release.ordinary_api_version,
            "metadata": {"name": name},
            "spec": body,
        }
    )


@dataclass(frozen=True, slots=True)
class CatalogFiles:
    """A generated catalog: relative paths to file contents. `write(root)` creates it on disk."""

    files: dict[str, str] = field(default_factory=dict)

    def write(self, root: Path) -> Path:
        """Write every file under *root* (created) and return *root*, ready for `load_catalog`."""
        for relative, text in self.files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return root

    @property
    def overlay_names(self) -> list[str]:
        """Names of the generated overlays (base excluded)."""
        return sorted(
            path.removeprefix("overlays/").removesuffix(".yaml")
            for path in self.files
            if path.startswith("overlays/") and path != "overlays/base.yaml"
        )


_REGISTRY_COMPONENT = """\
  - name: {name}
    displayName: {name}
    valueOverrideKeys: [{key}]
    helm:
      defaultRepository: https://charts.example.invalid/{name}
      defaultChart: example/{name}
      defaultVersion: {version}
      defaultNamespace: {name}
    healthCheck:
      assertFile: checks/{name}/health-check.yaml
"""


def _yaml_list(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


@st.composite
def _catalog(draw: st.DrawFn, max_overlays: int, with_mixins: bool, release: AicrVersion) -> CatalogFiles:
    enums = release.enum_values
    header = release.ordinary_api_version
    services = draw(st.lists(st.sampled_from(enums["service"]), min_size=1, max_size=3, unique=True))
    accelerators = draw(st.lists(st.sampled_from(enums["accelerator"]), min_size=1, max_size=2, unique=True))
    components = ["cert-manager", "gpu-operator", "nfd", "agentgateway", "dynamo-platform"]
    versions = {name: draw(version_strings(style="v-prefixed")) for name in components}
    # The operator a recipe deploys must meet the floors the wildcard overlays set (a consistent catalog).
    versions["gpu-operator"] = draw(st.sampled_from(["v25.10.1", "v26.3.3"]))
    files: dict[str, str] = {}
    files["registry.yaml"] = f"apiVersion: {header}\nkind: ComponentRegistry\ncomponents:\n" + "".join(
        _REGISTRY_COMPONENT.format(name=name, key=name.replace("-", ""), version=versions[name]) for name in components
    )
    for name in components:
        files[f"checks/{name}/health-check.yaml"] = f"kind: Test\nmetadata:\n  name: {name}\n"
    files["overlays/base.yaml"] = textwrap.dedent(
        """\
        kind: RecipeMetadata
        apiVersion: {header}
        metadata:
          name: base
        spec:
          constraints:
            - name: K8s.server.version
              value: ">= 1.25"
          componentRefs:
            - {name: cert-manager, type: Helm}
            - {name: nfd, type: Helm}
            - {name: gpu-operator, type: Helm, dependencyRefs: [nfd, cert-manager]}
        """,
    ).replace("{header}", header)
    mixin_names: list[str] = []
    if with_mixins:
        files["mixins/platform-inference.yaml"] = (
            f"kind: RecipeMixin\napiVersion: {header}\nmetadata:\n  name: platform-inference\nspec:\n"
            "  componentRefs:\n    - {name: agentgateway, type: Helm, dependencyRefs: [cert-manager]}\n"
        )
        mixin_names.append("platform-inference")

    def write_overlay(name: str, base: str, crit: dict[str, str], body: str = "") -> None:
        lines = ["kind: RecipeMetadata", f"apiVersion: {header}", "metadata:", f"  name: {name}", "spec:"]
        if base:
            lines.append(f"  base: {base}")
        lines.append("  criteria:")
        lines.extend(f"    {key}: {value}" for key, value in crit.items())
        files[f"overlays/{name}.yaml"] = "\n".join(lines) + "\n" + textwrap.indent(body, "  ")

    count = 0
    for accelerator in accelerators:
        floor = draw(st.sampled_from(["v24.6.0", "v25.10.0"]))
        write_overlay(
            f"{accelerator}-any",
            "base",
            {"service": "any", "accelerator": accelerator},
            "validation:\n  deployment:\n    checks: [gpu-operator-version]\n    constraints:\n"
            f'      - {{name: Deployment.gpu-operator.version, value: ">= {floor}"}}\n',
        )
    for service in services:
        write_overlay(service, "", {"service": service}, "validation:\n  conformance:\n    checks: [platform-health]\n")
        intents = draw(st.lists(st.sampled_from(enums["intent"]), max_size=2, unique=True))
        for intent in intents:
            body = ""
            if intent == "inference":
                body = (
                    f"mixins: {_yaml_list(mixin_names)}\n"
                    if mixin_names
                    else "componentRefs:\n  - {name: agentgateway, type: Helm, dependencyRefs: [cert-manager]}\n"
                )
            write_overlay(f"{service}-{intent}", service, {"service": service, "intent": intent}, body)
            for accelerator in accelerators:
                if count >= max_overlays:
                    break
                count += 1
                leaf = f"{accelerator}-{service}-{intent}"
                k8s = draw(st.sampled_from(["1.30", "1.32", "1.34"]))
                write_overlay(
                    leaf,
                    f"{service}-{intent}",
                    {"service": service, "accelerator": accelerator, "intent": intent},
                    f'constraints:\n  - {{name: K8s.server.version, value: ">= {k8s}"}}\n',
                )
                if intent == "inference" and draw(st.booleans()):
                    write_overlay(
                        f"{leaf}-dynamo",
                        leaf,
                        {"service": service, "accelerator": accelerator, "intent": intent, "platform": "dynamo"},
                        "componentRefs:\n  - {name: dynamo-platform, type: Helm, dependencyRefs: [gpu-operator]}\n"
                        "validation:\n  performance:\n    checks: [inference-perf]\n",
                    )
    return CatalogFiles(files)


def catalogs(
    *, max_overlays: int = 6, mixins: bool = True, aicr_version: AicrVersion | str = "0.20"
) -> SearchStrategy[CatalogFiles]:
    """Small consistent catalogs, ready to write to a directory and load.

    Each has a base, a registry, service roots and intermediates, accelerator leaves, wildcard
    `<accelerator>-any` overlays carrying the deployment floor, an inference mixin and validation
    phases. Write one with `CatalogFiles.write(tmp_path)` and load it with `load_catalog`.
    Headers and criteria values are *aicr_version*'s (`"0.20"` or `"1.0"`).
    """
    if max_overlays < 1:
        msg = f"max_overlays={max_overlays!r} must be at least 1"
        raise InvalidArgument(msg)
    try:
        release = as_aicr_version(aicr_version) or V0_20
    except ValueError as err:
        raise InvalidArgument(str(err)) from None
    return _catalog(max_overlays, mixins, release)
