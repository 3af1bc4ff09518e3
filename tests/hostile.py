"""Hostile catalogs: each builder writes one attack into a catalog directory (shared by tests and benchmarks)."""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING

from .conftest import overlay, write_catalog

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

#: Content of a file outside every catalog; it must never be read.
SECRET = "l40-recipes-must-never-read-this"


def _leaf(name: str = "leaf", body: str = "") -> str:
    return overlay(name, criteria="service: eks", body=body)


def bomb(root: Path) -> str:
    lines = [
        "kind: RecipeMetadata",
        "metadata: {name: bomb}",
        "spec:",
        "  criteria: {service: eks}",
        "  componentRefs:",
    ]
    lines += ["    - name: gpu-operator", "      overrides:", "        a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"        a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    write_catalog(root, {"bomb": "\n".join(lines) + "\n"})
    return "overlays/bomb.yaml"


def deep(root: Path) -> str:
    write_catalog(
        root,
        {
            "deep": "kind: RecipeMetadata\nspec:\n  componentRefs:\n    - name: x\n      overrides: "
            + "[" * 5000
            + "]" * 5000
            + "\n"
        },
    )
    return "overlays/deep.yaml"


def huge_scalar(root: Path) -> str:
    write_catalog(
        root,
        {
            "huge": _leaf(
                "huge", "componentRefs:\n  - name: gpu-operator\n    overrides: {blob: '" + "x" * 10_000_000 + "'}\n"
            )
        },
    )
    return "overlays/huge.yaml"


def huge_file(root: Path) -> str:
    # Just under the 100,000-node limit: a big file that still loads.
    body = "componentRefs:\n  - name: gpu-operator\n    overrides:\n" + "".join(
        f"      key{i}: {i}\n" for i in range(49_000)
    )
    write_catalog(root, {"big": _leaf("big", body), "dup": _leaf("big")})
    return "overlays/big.yaml"


def non_utf8(root: Path) -> str:
    write_catalog(root, {})
    (root / "overlays" / "latin1.yaml").write_bytes(b"kind: RecipeMetadata\nmetadata: {name: caf\xe9}\n")
    return "overlays/latin1.yaml"


def tabs(root: Path) -> str:
    write_catalog(root, {"tabs": "kind: RecipeMetadata\nspec:\n\tcriteria: {service: eks}\n"})
    return "overlays/tabs.yaml"


def duplicate_keys(root: Path) -> str:
    write_catalog(root, {"dup": "kind: RecipeMetadata\nmetadata: {name: a}\nmetadata: {name: b}\n"})
    return "overlays/dup.yaml"


def wrong_types(root: Path) -> str:
    write_catalog(
        root,
        {
            "types": "kind: RecipeMetadata\nmetadata: {name: t}\nspec:\n  criteria: {service: eks}\n  constraints: {name: x}\n"
        },
    )
    return "overlays/types.yaml"


def empty_files(root: Path) -> str:
    write_catalog(root, {"empty": ""}, registry="")
    return "registry.yaml"


def symlink_out(root: Path) -> str:
    outside = root.parent / "outside.yaml"
    outside.write_text(f"kind: RecipeMetadata\nmetadata: {{name: {SECRET}}}\n")
    write_catalog(root, {})
    (root / "overlays" / "link.yaml").symlink_to(outside)
    return "overlays/link.yaml"


def dotdot_paths(root: Path) -> str:
    (root.parent / "secret.yaml").write_text(SECRET + "\n")
    body = "componentRefs:\n  - name: gpu-operator\n    valuesFile: ../secret.yaml\n    manifestFiles: [/etc/passwd]\n"
    write_catalog(root, {"escape": _leaf("escape", body)})
    text = (root / "registry.yaml").read_text().replace("checks/gpu-operator/health-check.yaml", "../secret.yaml")
    (root / "registry.yaml").write_text(text)
    return "overlays/escape.yaml"


def base_cycle(root: Path) -> str:
    write_catalog(
        root,
        {
            "a": overlay("a", base="b", criteria="service: eks"),
            "b": overlay("b", base="a", criteria="service: eks, os: ubuntu"),
            "c": overlay("c", base="a", criteria="service: eks, accelerator: h100"),
        },
    )
    return "overlays/a.yaml"


def mixin_cycle(root: Path) -> str:
    mixin = "kind: RecipeMixin\napiVersion: aicr.run/v1alpha2\nmetadata: {name: m}\nspec:\n  mixins: [m]\n"
    write_catalog(root, {"leaf": _leaf("leaf", "mixins: [m, m]\n")}, extra={"mixins/m.yaml": mixin})
    return "mixins/m.yaml"


def dependency_cycle(root: Path) -> str:
    body = "componentRefs:\n  - name: cert-manager\n    dependencyRefs: [gpu-operator]\n"
    write_catalog(root, {"leaf": _leaf("leaf", body)})
    return "overlays/leaf.yaml"


def many_overlays(root: Path, count: int = 5000) -> str:
    overlays = {
        f"o{index:05d}": overlay(
            f"o{index:05d}", base="eks-root", criteria=f"service: eks, accelerator: h100, platform: p{index}"
        )
        for index in range(count)
    }
    overlays["eks-root"] = overlay(
        "eks-root", criteria="service: eks", body="validation:\n  conformance:\n    checks: [a]\n"
    )
    write_catalog(root, overlays)
    return "overlays/o00000.yaml"


def recursive_anchor(root: Path) -> str:
    body = "componentRefs:\n  - name: gpu-operator\n    overrides: &a {x: *a}\n"
    write_catalog(root, {"loop": _leaf("loop", body)})
    return "overlays/loop.yaml"


def recursive_document(root: Path) -> str:
    write_catalog(root, {})
    (root / "overlays" / "loop.yaml").write_text("a: &a [*a]\n")  # the 11 bytes, a whole file
    return "overlays/loop.yaml"


def deep_block(root: Path) -> str:
    # Block nesting on one line (`- - - x`): no bracket, so only the event-stream depth bound sees it.
    levels = 1200
    body = "componentRefs:\n  - name: gpu-operator\n    overrides:\n      a:\n" + "        " + "- " * levels + "x\n"
    write_catalog(root, {"deep": _leaf("deep", body)})
    return "overlays/deep.yaml"


def huge_integers(root: Path) -> str:
    digits = "9" * 5000
    body = (
        f"componentRefs:\n  - name: gpu-operator\n    version: '1.{digits}'\n    overrides: {{n: {digits}, f: 1e400}}\n"
        f"constraints:\n  - name: K8s.server.version\n    value: '>= 1.{digits}'\n"
    )
    write_catalog(root, {"ints": _leaf("ints", body)})
    return "overlays/ints.yaml"


def nul_paths(root: Path) -> str:
    body = 'componentRefs:\n  - name: gpu-operator\n    valuesFile: "a\\0b"\n    manifestFiles: ["c\\0d"]\n'
    write_catalog(root, {"nul": _leaf("nul", body)})
    text = (root / "registry.yaml").read_text().replace("checks/gpu-operator/health-check.yaml", '"checks/\\0x.yaml"')
    (root / "registry.yaml").write_text(text)
    return "overlays/nul.yaml"


def scalar_aliases(root: Path) -> str:
    # 64 KiB aliased 100 times: 6.4 MB once expanded, past the 4 MiB bound (1 MB x 2,000 printed 2 GB).
    body = (
        "componentRefs:\n  - name: gpu-operator\n    overrides:\n"
        f"      blob: &blob '{'x' * 65536}'\n"
        f"      copies: [{', '.join(['*blob'] * 100)}]\n"
    )
    write_catalog(root, {"amplify": _leaf("amplify", body)})
    return "overlays/amplify.yaml"


def unused_alias_tree(root: Path) -> str:
    # 10**6 nodes once expanded, under a key upstream never decodes: aicr loads it, so must we, cheaply.
    lines = ["  a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 6)]
    write_catalog(root, {"unused": _leaf("unused") + "xUnused:\n" + "\n".join(lines) + "\n"})
    return "overlays/unused.yaml"


def dotted_constraint(root: Path) -> str:
    body = "constraints:\n  - name: SystemD." + "." * 40_000 + "!\n    value: '>= 1'\n"
    write_catalog(root, {"dots": _leaf("dots", body)})
    return "overlays/dots.yaml"


def deep_directories(root: Path) -> str:
    write_catalog(root, {})
    relative = "/".join(["d"] * 1200)
    directory = str(root / "overlays")
    for _ in range(1200):  # pathlib's and os's makedirs recurse once per level
        directory += "/d"
        os.mkdir(directory)  # noqa: PTH102
    (root / "overlays" / relative / "x.yaml").write_text("kind: RecipeMetadata\nmetadata: {name: [not, a, name]}\n")
    return f"overlays/{relative}/x.yaml"


def remove_deep_tree(path: Path) -> None:
    """Remove *path*'s tree without recursion (`shutil.rmtree` recurses once per level and fails on deep_directories)."""
    directories = [str(path)]
    index = 0
    while index < len(directories):
        with os.scandir(directories[index]) as listing:
            for entry in listing:
                if entry.is_dir(follow_symlinks=False):
                    directories.append(entry.path)
                else:
                    os.unlink(entry.path)  # noqa: PTH108
        index += 1
    for directory in reversed(directories):
        os.rmdir(directory)  # noqa: PTH106


def special_files(root: Path) -> str:
    write_catalog(root, {})
    os.mkfifo(root / "pipe")  # outside the walked layout: only the link leads to it
    (root / "overlays" / "link.yaml").symlink_to("../pipe")
    return "overlays/link.yaml"


def fifo_overlay(root: Path) -> str:
    write_catalog(root, {})
    os.mkfifo(root / "overlays" / "fifo.yaml")
    return "overlays/fifo.yaml"


def control_characters(root: Path) -> str:
    write_catalog(root, {"ctl": overlay("ctl", base="x\x0b\x1b[31m", criteria="service: eks")})
    text = (root / "overlays" / "ctl.yaml").read_text().replace("base: x\x0b\x1b[31m", 'base: "x\\x0b\\e[31m"')
    (root / "overlays" / "ctl.yaml").write_text(text)
    return "overlays/ctl.yaml"


def binary_file(root: Path) -> str:
    write_catalog(root, {})
    (root / "overlays" / "blob.yaml").write_bytes(b"kind: RecipeMetadata\nmetadata:\n  name: \x00\x01\xff\xfe\n")
    return "overlays/blob.yaml"


def bad_config(root: Path) -> str:
    write_catalog(root, {"leaf": _leaf()})
    (root / "pyproject.toml").write_text(
        '[tool.l40-recipes]\nwaivers = ["oops"]\nseverity = ["x"]\n'
        '[[tool.l40-recipes.required-components]]\nwhen = {intent = 1}\nany-of = ["x"]\n'
        '[[tool.l40-recipes.version-pin-exemptions]]\noverlay = "leaf"\ncomponent = "gpu-operator"\n'
    )
    return "pyproject.toml"


def long_chain(root: Path, depth: int = 2000) -> str:
    # `shared` matches every query and is no ancestor: each chain overlay is its query's last candidate
    overlays = {
        "c0000": overlay("c0000", criteria="service: eks"),
        "shared": overlay("shared", criteria="service: any"),
    }
    for index in range(1, depth):
        overlays[f"c{index:04d}"] = overlay(
            f"c{index:04d}", base=f"c{index - 1:04d}", criteria=f"service: eks, platform: p{index}"
        )
    write_catalog(root, overlays)
    return f"overlays/c{depth - 1:04d}.yaml"


def many_mixins(root: Path, count: int = 5000) -> str:
    names = [f"m{index:04d}" for index in range(count)]
    extra = {
        f"mixins/{name}.yaml": (
            f"kind: RecipeMixin\napiVersion: aicr.run/v1alpha2\nmetadata: {{name: {name}}}\n"
            f"spec:\n  constraints:\n    - {{name: SystemD.unit{index}.active, value: 'true'}}\n"
        )
        for index, name in enumerate(names)
    }
    write_catalog(root, {"leaf": _leaf("leaf", f"mixins: [{', '.join(names)}]\n")}, extra=extra)
    return "overlays/leaf.yaml"


def many_keys(root: Path, count: int = 60_000) -> str:
    body = (
        "componentRefs:\n  - name: gpu-operator\n    overrides: {"
        + ", ".join(f"k{i}: {i}" for i in range(count))
        + "}\n"
    )
    write_catalog(root, {"keys": _leaf("keys", body)})
    return "overlays/keys.yaml"


CASES: dict[str, Callable[[Path], str]] = {
    "yaml-bomb": bomb,
    "deep-nesting": deep,
    "huge-scalar": huge_scalar,
    "huge-file": huge_file,
    "non-utf8": non_utf8,
    "tabs": tabs,
    "duplicate-keys": duplicate_keys,
    "wrong-types": wrong_types,
    "empty-files": empty_files,
    "symlink-out-of-root": symlink_out,
    "dotdot-paths": dotdot_paths,
    "base-cycle": base_cycle,
    "mixin-cycle": mixin_cycle,
    "dependency-cycle": dependency_cycle,
    "5000-overlays": many_overlays,
    "recursive-anchor": recursive_anchor,
    "recursive-document": recursive_document,
    "deep-block-nesting": deep_block,
    "huge-integers": huge_integers,
    "nul-paths": nul_paths,
    "scalar-aliases": scalar_aliases,
    "unused-alias-tree": unused_alias_tree,
    "dotted-constraint": dotted_constraint,
    "deep-directories": deep_directories,
    "special-files": special_files,
    "fifo-overlay": fifo_overlay,
    "control-characters": control_characters,
    "binary-file": binary_file,
    "bad-config": bad_config,
    # Smaller than the sizes (below), still past what quadratic code does within the bound.
    "1000-chain": functools.partial(long_chain, depth=1000),
    "3000-mixins": functools.partial(many_mixins, count=3000),
    "many-keys": many_keys,
}

#: The issue's sizes, for `benchmarks/bench_hostile.py` (each within 5 s and 300 MB there).
GIANTS: dict[str, Callable[[Path], str]] = {
    "2000-chain": long_chain,
    "5000-mixins": many_mixins,
    "10^6-keys": functools.partial(many_keys, count=1_000_000),
}
