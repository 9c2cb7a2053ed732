# METADATA
# title: Traffic interception mode is not set
# description: |
#   osm-edge injects the osm-init container, whose iptables rules send a pod's
#   traffic through its sidecar, only when traffic.interceptionMode is iptables.
#   With the field absent (it has no CRD default) pods still get a sidecar, but
#   their traffic bypasses it: no mTLS, no policy, no metrics.
# custom:
#   code: MG1012
#   severity: warn
#   fix: Set spec.traffic.interceptionMode to iptables, the install default.
#   docs: docs/rules.md#mg1012
package meshguard.rules.meshconfig["interception-mode-missing"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": "spec.traffic.interceptionMode",
	"message": "traffic.interceptionMode is not set: osm-edge injects no osm-init container, so pod traffic is not intercepted by the sidecar",
}) if {
	kube.is_meshconfig
	not _has_mode
}

_has_mode if input.object.spec.traffic.interceptionMode != null
