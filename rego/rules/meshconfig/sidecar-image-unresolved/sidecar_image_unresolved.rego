# METADATA
# title: Sidecar image is not set in the MeshConfig
# description: |
#   osm-edge picks the sidecar image from sidecar.sidecarImage, else from the
#   sidecarDrivers entry whose sidecarName matches sidecarClass (compared
#   case-insensitively; an empty sidecarClass means pipy), else from
#   osm-injector's OSM_DEFAULT_SIDECAR_IMAGE environment variable. When the
#   MeshConfig names no image the sidecar image depends on how osm-injector was
#   deployed, and if that variable is empty too every injection fails with
#   "MeshConfig sidecar.sidecarImage not set".
# custom:
#   code: MG1013
#   severity: warn
#   fix: Set sidecarImage on the sidecarDrivers entry named after sidecarClass, or set sidecar.sidecarImage.
#   docs: docs/rules.md#mg1013
package meshguard.rules.meshconfig["sidecar-image-unresolved"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": "spec.sidecar.sidecarImage",
	"message": sprintf("no sidecar image: sidecar.sidecarImage is empty and no sidecarDrivers entry named %s (the sidecarClass) has a sidecarImage, so osm-edge falls back to osm-injector's OSM_DEFAULT_SIDECAR_IMAGE environment variable", [finding.quote(_class)]),
}) if {
	kube.is_meshconfig
	not _set(object.get(input.object, ["spec", "sidecar", "sidecarImage"], ""))
	_has_drivers
	not _driver_image
}

# A manifest without sidecarDrivers leaves the stored drivers in place (kubectl
# apply only removes fields it applied before), so only a drivers list that
# lacks the class is a problem.
# A manifest without sidecarDrivers may be one kubectl apply merges into
# the stored MeshConfig, whose drivers stay; an admission review shows the
# MeshConfig whole, so there none means none.
_has_drivers if count(input.object.spec.sidecar.sidecarDrivers) > 0

_has_drivers if kube.admission

# osm-edge falls back to OSM_DEFAULT_SIDECAR_CLASS, which the chart sets to pipy.
_class := lower(c) if {
	c := input.object.spec.sidecar.sidecarClass
	_set(c)
} else := "pipy"

_driver_image if {
	some driver in input.object.spec.sidecar.sidecarDrivers
	is_string(driver.sidecarName)
	lower(driver.sidecarName) == _class
	_set(driver.sidecarImage)
}

_set(s) if {
	is_string(s)
	s != ""
}
