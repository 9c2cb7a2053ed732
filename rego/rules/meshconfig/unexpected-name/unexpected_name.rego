# METADATA
# title: MeshConfig is not named osm-mesh-config
# description: |
#   osm-edge reads exactly one MeshConfig: the one named osm-mesh-config in its
#   control-plane namespace (osm-controller and osm-injector look it up by that
#   name). A MeshConfig with any other name is stored but never read, so none of
#   its settings take effect.
# custom:
#   code: MG1005
#   severity: warn
#   fix: Name the MeshConfig osm-mesh-config, or put its settings into osm-mesh-config.
#   docs: docs/rules.md#mg1005
package meshguard.rules.meshconfig["unexpected-name"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": "metadata.name",
	"message": sprintf("MeshConfig %s is never read: osm-edge reads only the MeshConfig named osm-mesh-config", [finding.quote(name)]),
}) if {
	kube.is_meshconfig
	name := input.object.metadata.name
	is_string(name)
	name != "osm-mesh-config"
}
