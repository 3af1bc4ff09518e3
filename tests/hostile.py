"""Hostile catalogs: each builder writes one attack into a catalog directory (shared by tests and benchmarks)."""

from __future__ import annotations

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
    body = "componentRefs:\n  - name: gpu-operator\n    overrides:\n" + "".join(
        f"      key{i}: {i}\n" for i in range(100_000)
    )
    write_catalog(root, {"big": _leaf("big", body), "dup": _leaf("big")})
    return "overlays/dup.yaml"


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
}
