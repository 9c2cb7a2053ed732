# METADATA
# title: Sidecar class change takes effect only when osm-edge restarts
# description: |
#   osm-controller and osm-injector read sidecar.sidecarClass once, when they
#   start, to install the sidecar driver (Pipy or Envoy); the sidecar image
#   and proxyServerPort, however, are looked up by the class on every
#   injection. A change at runtime therefore mixes the two: until osm-injector
#   restarts, new pods get the old driver's sidecar container (its command,
#   arguments and bootstrap) with the image and proxyServerPort of the new
#   class's sidecarDrivers entry (the image unchanged only when
#   sidecar.sidecarImage is set), and osm-controller keeps running the old
#   driver until it restarts. Pods already running keep their sidecar until
#   they are recreated. The class is compared as osm-edge uses it:
#   case-insensitively, an empty one meaning pipy.
# custom:
#   code: MG1024
#   severity: warn
#   fix: Restart osm-controller and osm-injector right after the change (kubectl rollout restart deployment osm-controller osm-injector -n osm-system), then restart the meshed workloads so that their pods get the new sidecar.
#   docs: docs/rules.md#mg1024
package meshguard.rules.meshconfig["sidecar-class-changed"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": "spec.sidecar.sidecarClass",
	"message": sprintf("spec.sidecar.sidecarClass changes from %s to %s, but osm-controller and osm-injector read it only when they start: until they restart, osm-injector injects the %s driver's sidecar with the image and proxyServerPort it now looks up for %s (%s, %s), and pods running now keep their %s sidecar until they are recreated; restart both (kubectl rollout restart deployment osm-controller osm-injector -n %s), then the meshed workloads", [
		_shown(input.oldObject), _shown(input.object), _old, finding.quote(_new), _image, _port, _old, _namespace,
	]),
}) if {
	kube.is_meshconfig
	kube.updating
	_old != _new
	not _meshguard_injects
}

# meshguard's own injecting webhook injects this mesh's pods: osm-injector
# injects none, and MG1025 speaks of the class.
_meshguard_injects if input.facts.injector.meshConfig == kube.id(input.object)

_old := kube.sidecar_class(input.oldObject)

_new := kube.sidecar_class(input.object)

# The value as written, and what an empty one means.
_shown(cfg) := finding.quote(cfg.spec.sidecar.sidecarClass) if {
	is_string(cfg.spec.sidecar.sidecarClass)
	cfg.spec.sidecar.sidecarClass != ""
} else := "\"\" (pipy)"

_namespace := n if {
	n := input.object.metadata.namespace
	is_string(n)
	n != ""
} else := "osm-system"

# The new class's sidecarDrivers entries (the first counts, as in osm-edge).
_drivers := [d |
	some d in object.get(input.object, ["spec", "sidecar", "sidecarDrivers"], [])
	is_string(d.sidecarName)
	lower(d.sidecarName) == _new
]

# spec.sidecar.sidecarImage wins over the driver's image, whatever the class.
_image := sprintf("image %s from spec.sidecar.sidecarImage", [finding.quote(img)]) if {
	img := input.object.spec.sidecar.sidecarImage
	is_string(img)
	img != ""
} else := sprintf("image %s", [finding.quote(_drivers[0].sidecarImage)]) if {
	is_string(_drivers[0].sidecarImage)
	_drivers[0].sidecarImage != ""
} else := "the image in osm-injector's OSM_DEFAULT_SIDECAR_IMAGE"

_port := sprintf("port %d", [_drivers[0].proxyServerPort]) if {
	is_number(_drivers[0].proxyServerPort)
} else := "port 15128, osm-edge's constant when no sidecarDrivers entry matches" if {
	count(_drivers) == 0
} else := "no proxyServerPort"
