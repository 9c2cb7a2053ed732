# METADATA
# title: Application uses a port or UID the sidecar reserves
# description: |
#   The sidecar listens on 15000, 15001, 15003, 15010 and 15901-15904, and
#   osm-init exempts traffic of UID 1500, the sidecar's user. An application
#   container (or an init container with restartPolicy Always, a native
#   sidecar, which keeps running) listening on one of these ports collides
#   with the sidecar; one running as UID 1500 has its traffic bypass it.
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
	"path": sprintf("spec.%s[%d].ports[%d].containerPort", [field, i, j]),
	"message": sprintf("%s: container %s listens on %d, a port the osm-edge sidecar reserves (15000, 15001, 15003, 15010, 15901-15904)", [kube.object_ref, c.name, p.containerPort]),
}) if {
	kube.is_pod
	kube.injected
	some [field, i, c] in _running
	some j, p in c.ports
	p.containerPort in _ports
}

# _running are the containers that run beside the sidecar: the
# application's, and init containers with restartPolicy Always (native
# sidecars), which keep running once started. Other init containers finish
# before osm-init sets up the interception.
_running contains ["containers", i, c] if some i, c in input.object.spec.containers

_running contains ["initContainers", i, c] if {
	some i, c in input.object.spec.initContainers
	c.restartPolicy == "Always"
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
	"path": sprintf("spec.%s[%d].securityContext.runAsUser", [field, i]),
	"message": sprintf("%s: container %s runs as UID 1500, the sidecar's: osm-init lets that user's traffic bypass the sidecar", [kube.object_ref, c.name]),
}) if {
	kube.is_pod
	kube.injected
	some [field, i, c] in _running
	c.securityContext.runAsUser == 1500
}
