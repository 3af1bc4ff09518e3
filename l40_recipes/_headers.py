"""Document headers: the `kind` and `apiVersion` values each kind of AICR document carries.

Upstream's catalogs gate their files on these (`pkg/header` from v0.21 on); at 9793720d the reader
checks only what the constants below are compared with in the loader and the rules. The values
here are 0.20's; what each reproduced release accepts and emits (and how it gates headers) is its
`AicrVersion` in `_semantics`, the one place a release's rules plug in.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "CONFIGURED_RESULT_API_VERSION",
    "MIXIN_KIND",
    "ORDINARY_API_VERSION",
    "PROFILE_API_VERSION",
    "RECIPE_METADATA_KIND",
    "REGISTRY_KIND",
    "RESULT_API_VERSION",
]

RECIPE_METADATA_KIND: Final = "RecipeMetadata"
MIXIN_KIND: Final = "RecipeMixin"
REGISTRY_KIND: Final = "ComponentRegistry"
#: Overlays without a profile, mixins and the registry.
ORDINARY_API_VERSION: Final = "aicr.run/v1alpha2"
#: Overlays that declare `spec.profile` (and only those).
PROFILE_API_VERSION: Final = "aicr.run/v1alpha3"
#: A resolved recipe.
RESULT_API_VERSION: Final = "aicr.run/v1alpha2"
#: A resolved recipe with a selected profile or a build configuration.
CONFIGURED_RESULT_API_VERSION: Final = "aicr.run/v1alpha3"
