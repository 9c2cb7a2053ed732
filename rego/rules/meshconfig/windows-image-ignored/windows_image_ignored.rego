# METADATA
# title: sidecarWindowsImage is never read by osm-edge
# description: |
#   The CRD has sidecar.sidecarWindowsImage and sidecarDrivers[].sidecarWindowsImage,
#   but osm-edge's code reads the Windows image under another field name
#   (sidecarImageWindowsImage in v1alpha2), which the CRD does not define. The
#   value is stored and never used: Windows pods get osm-injector's
#   OSM_DEFAULT_SIDECAR_WINDOWS_IMAGE environment variable instead, and are
#   rejected with "MeshConfig sidecar.sidecarWindowsImage not set" when it is empty.
# custom:
#   code: MG1014
#   severity: warn
#   fix: Remove sidecarWindowsImage and set the Windows sidecar image in osm-injector's OSM_DEFAULT_SIDECAR_WINDOWS_IMAGE environment variable.
#   docs: docs/rules.md#mg1014
package meshguard.rules.meshconfig["windows-image-ignored"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": "spec.sidecar.sidecarWindowsImage",
	"message": sprintf("sidecarWindowsImage %s is never read: %s", [finding.quote(image), _why]),
}) if {
	kube.is_meshconfig
	image := input.object.spec.sidecar.sidecarWindowsImage
	_set(image)
}

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.sidecar.sidecarDrivers[%d].sidecarWindowsImage", [i]),
	"message": sprintf("sidecarWindowsImage %s of driver %s is never read: %s", [finding.quote(driver.sidecarWindowsImage), finding.quote(driver.sidecarName), _why]),
}) if {
	kube.is_meshconfig
	some i, driver in input.object.spec.sidecar.sidecarDrivers
	_set(driver.sidecarWindowsImage)
}

_why := "osm-edge reads the Windows image from a field named sidecarImageWindowsImage, which the CRD does not have, so Windows pods get osm-injector's OSM_DEFAULT_SIDECAR_WINDOWS_IMAGE"

_set(s) if {
	is_string(s)
	s != ""
}
