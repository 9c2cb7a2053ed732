# METADATA
# title: Sidecar class is not pipy, so meshguard's injector refuses every pod
# description: |
#   meshguard's injecting webhook injects osm-edge's Pipy sidecar only, and it
#   reads sidecar.sidecarClass on every pod (case-insensitively, an empty one
#   meaning pipy). With any other class it refuses every pod created in the
#   monitored namespaces, and since it fails closed (failurePolicy Fail, as
#   osm-edge's injector) no pod of the mesh starts: one kubectl patch is a
#   mesh-wide outage of pod creation. meshguard serve knows whether it runs
#   that webhook (input.facts.injector), so there a MeshConfig it injects by
#   is denied a class other than pipy; a meshguard that only validates, beside
#   osm-edge's own injector (serve --inject=false), says nothing, and a move
#   to osm-edge's Envoy driver goes through. A MeshConfig that already had the
#   class is not denied for it on an update, only warned. meshguard validate
#   cannot know which injector a cluster runs, so offline this is a note.
# custom:
#   code: MG1025
#   severity: info
#   admission_severity: deny
#   fix: Keep sidecarClass pipy while meshguard injects pods; to move to osm-edge's Envoy driver, first hand injection back to osm-edge's injector and run meshguard serve with --inject=false.
#   docs: docs/rules.md#mg1025
package meshguard.rules.meshconfig["sidecar-class-not-pipy"]

import data.meshguard.finding
import data.meshguard.kube

# meshguard serve, whose injecting webhook injects by this MeshConfig.
findings contains finding.new(rego.metadata.chain(), {
	"path": "spec.sidecar.sidecarClass",
	"message": sprintf("spec.sidecar.sidecarClass is %s%s: meshguard's injecting webhook, which injects this mesh's pods by this MeshConfig, injects osm-edge's Pipy sidecar only, so it would refuse every pod created in the monitored namespaces (failurePolicy Fail); %s", [
		_value, _was, _way_out,
	]),
}) if {
	kube.is_meshconfig
	_class != "pipy"
	input.facts.injector.meshConfig == kube.id(input.object)
}

# meshguard validate: the files do not say which injector the cluster runs.
findings contains finding.new(rego.metadata.chain(), {
	"path": "spec.sidecar.sidecarClass",
	"message": sprintf("spec.sidecar.sidecarClass is %s%s: if meshguard's injecting webhook injects this mesh's pods, it refuses every pod created in the monitored namespaces (failurePolicy Fail), since it injects osm-edge's Pipy sidecar only; with osm-edge's own injector the class is fine", [_value, _was]),
}) if {
	kube.is_meshconfig
	_class != "pipy"
	not kube.admission
}

_class := kube.sidecar_class(input.object)

_value := finding.quote(input.object.spec.sidecar.sidecarClass)

# An update names what it replaces; one that keeps the class is told,
# by the engine, that it was already so.
_was := sprintf(" (was %s)", [_old]) if {
	kube.updating
	kube.sidecar_class(input.oldObject) != _class
	_old := _shown(input.oldObject)
} else := ""

_shown(cfg) := finding.quote(cfg.spec.sidecar.sidecarClass) if {
	is_string(cfg.spec.sidecar.sidecarClass)
	cfg.spec.sidecar.sidecarClass != ""
} else := "\"\", which means pipy"

# osm-edge's injector configuration is named <prefix>-<mesh name>; the
# install's is osm-webhook-osm.
_mesh_suffix := object.get(input, ["inventory", "meshName"], "") if {
	object.get(input, ["inventory", "meshName"], "") != ""
} else := "osm"

# osm-edge has drivers for pipy and envoy only (spec §4.4): a class other
# than those has no driver to move to.
_way_out := sprintf("keep sidecarClass pipy, or, to move to osm-edge's envoy driver, first hand injection back to osm-edge (kubectl delete mutatingwebhookconfiguration meshguard, then scale osm-injector up and restore its configuration osm-webhook-%s) and run meshguard serve with --inject=false", [_mesh_suffix]) if {
	_class == "envoy"
} else := "osm-edge has no sidecar driver of that name either (pipy and envoy are its two): set sidecarClass to pipy"
