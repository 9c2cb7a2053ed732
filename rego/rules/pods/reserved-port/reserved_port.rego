# METADATA
# title: Application uses a port or UID the sidecar reserves
# description: |
#   The sidecar listens on 15000, 15001, 15003, 15010 and 15901-15904, and
#   osm-init exempts traffic of UID 1500, the sidecar's user. An application
#   container listening on one of these ports collides with the sidecar; one
#   running as UID 1500 has its traffic bypass the sidecar.
# custom:
#   code: MG4007
#   severity: warn
#   fix: Move the application to another port, and run it as a user other than 1500.
#   docs: docs/rules.md#mg4007
package meshguard.rules.pods["reserved-port"]

import data.meshguard.finding
import data.meshguard.kube

_ports := {15000, 15001, 15003, 15010, 15901, 15902, 15903, 15904}

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.containers[%d].ports[%d].containerPort", [i, j]),
	"message": sprintf("%s: container %s listens on %d, a port the osm-edge sidecar reserves (15000, 15001, 15003, 15010, 15901-15904)", [kube.object_ref, c.name, p.containerPort]),
}) if {
	kube.is_pod
	kube.injected
	some i, c in input.object.spec.containers
	some j, p in c.ports
	p.containerPort in _ports
}

findings contains finding.new(rego.metadata.chain(), {
	"path": "spec.securityContext.runAsUser",
	"message": sprintf("%s runs as UID 1500, the sidecar's: osm-init lets that user's traffic bypass the sidecar", [kube.object_ref]),
}) if {
	kube.is_pod
	kube.injected
	input.object.spec.securityContext.runAsUser == 1500
}

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.containers[%d].securityContext.runAsUser", [i]),
	"message": sprintf("%s: container %s runs as UID 1500, the sidecar's: osm-init lets that user's traffic bypass the sidecar", [kube.object_ref, c.name]),
}) if {
	kube.is_pod
	kube.injected
	some i, c in input.object.spec.containers
	c.securityContext.runAsUser == 1500
}
