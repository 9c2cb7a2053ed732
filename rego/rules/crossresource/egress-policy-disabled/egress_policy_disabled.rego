# METADATA
# title: Egress policies are ignored because the Egress policy feature is off
# description: |
#   osm-edge compiles Egress policies only when the MeshConfig's
#   spec.featureFlags.enableEgressPolicy is true (the install sets it; the CRD
#   has no default, and osm-edge reads a flag that is not set as false). With
#   it false or unset every Egress policy is ignored (unset counts in an
#   admission review, where the MeshConfig is whole; offline, a manifest
#   that leaves the flag out may be one kubectl apply merges into the
#   stored MeshConfig, so only false counts): nothing it allows is allowed and none
#   of its routing, mTLS or UpstreamTrafficSetting applies. meshguard warns on
#   an Egress in such a mesh, and on a MeshConfig that turns the feature off
#   while Egress policies exist (on an update, only when the change turns it off).
# custom:
#   code: MG3003
#   severity: warn
#   fix: Set spec.featureFlags.enableEgressPolicy to true in the MeshConfig.
#   docs: docs/rules.md#mg3003
package meshguard.rules.crossresource["egress-policy-disabled"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"message": sprintf("%s is ignored: spec.featureFlags.enableEgressPolicy %s in %s, so osm-edge applies no Egress policy", [kube.object_ref, kube.egress_policy_state(kube.mesh_config), kube.mesh_config_ref]),
}) if {
	kube.is_egress
	cfg := kube.mesh_config
	not kube.egress_policy_enabled(cfg)
	not kube.object_unmonitored # MG3004's
}

findings contains finding.new(rego.metadata.chain(), {
	"path": "spec.featureFlags.enableEgressPolicy",
	"message": sprintf("%s %s while the mesh has Egress policies (%s): osm-edge ignores them", [kube.object_ref, _turns_off, finding.names(kube.egress_ids)]),
}) if {
	kube.is_meshconfig
	not kube.meshconfig_never_read # MG1005's
	not kube.egress_policy_enabled(input.object)
	count(kube.egress_ids) > 0
	not _already_off
}

_turns_off := "sets spec.featureFlags.enableEgressPolicy to false" if input.object.spec.featureFlags.enableEgressPolicy == false

else := "leaves spec.featureFlags.enableEgressPolicy unset (osm-edge reads that as false)"

_already_off if {
	kube.updating
	not kube.egress_policy_enabled(input.oldObject)
}
