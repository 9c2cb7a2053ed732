# METADATA
# title: MeshConfig uses the deprecated v1alpha1 API
# description: |
#   config.openservicemesh.io/v1alpha1 is served but deprecated; v1alpha2 is the
#   storage version. The CRD converts nothing (strategy None), so a write through
#   v1alpha1 is pruned against the v1alpha1 schema, which lacks the v1alpha2-only
#   fields: the sidecar TLS versions, cipherSuites, ecdhCurves, localProxyMode,
#   localDNSProxy, outboundIPRangeInclusionList and networkInterfaceExclusionList
#   are dropped.
# custom:
#   code: MG1004
#   severity: warn
#   fix: Set apiVersion to config.openservicemesh.io/v1alpha2.
#   docs: docs/rules.md#mg1004
package meshguard.rules.meshconfig["deprecated-version"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": "apiVersion",
	"message": sprintf(
		"apiVersion %s is deprecated; use config.openservicemesh.io/v1alpha2: a write through v1alpha1 drops the v1alpha2-only fields (%s)%s",
		[finding.quote(input.object.apiVersion), concat(", ", _v1alpha2_only), _dropped],
	),
}) if {
	kube.is_meshconfig
	kube.version(input.object.apiVersion) == "v1alpha1"
}

_v1alpha2_only := [
	"sidecar.tlsMinProtocolVersion",
	"sidecar.tlsMaxProtocolVersion",
	"sidecar.cipherSuites",
	"sidecar.ecdhCurves",
	"sidecar.localProxyMode",
	"sidecar.localDNSProxy",
	"traffic.outboundIPRangeInclusionList",
	"traffic.networkInterfaceExclusionList",
]

# _dropped names what this update drops of the stored MeshConfig's settings.
_dropped := sprintf("; this update drops %s, which the stored MeshConfig sets", [concat(", ", [sprintf("%s (%s)", [d.path, finding.quote(d.value)]) | some d in input.facts.droppedFromOld])]) if {
	count(input.facts.droppedFromOld) > 0
} else := ""
