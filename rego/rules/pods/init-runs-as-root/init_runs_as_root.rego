# METADATA
# title: Pod requires non-root, but osm-init runs as root
# description: |
#   osm-edge's osm-init container runs as root (UID 0) with NET_ADMIN to write
#   the iptables rules, whatever the pod asks, and sets runAsNonRoot: false on
#   itself to override the pod's runAsNonRoot (osm issue #4388). The pod still
#   starts, but policies that enforce non-root pods, such as Pod Security
#   "restricted", reject it once it is injected.
# custom:
#   code: MG4008
#   severity: warn
#   fix: Allow the osm-init container to run as root with NET_ADMIN in your pod policy, or use interceptionMode ebpf, which needs no osm-init.
#   docs: docs/rules.md#mg4008
package meshguard.rules.pods["init-runs-as-root"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": "spec.securityContext.runAsNonRoot",
	"message": sprintf("%s requires non-root containers, but osm-edge's osm-init runs as root with NET_ADMIN and overrides it: policies that enforce non-root pods will reject the injected pod", [kube.object_ref]),
}) if {
	kube.is_pod
	kube.injected
	input.object.spec.securityContext.runAsNonRoot == true
	object.get(kube.mesh_config, ["spec", "traffic", "interceptionMode"], "iptables") == "iptables"
}
