# METADATA
# title: Sidecar resources make the API server refuse every injected pod
# description: |
#   sidecar.resources.limits and .requests are open maps in the CRD, so the API
#   server stores any names and values in the MeshConfig. osm-edge copies them
#   into the sidecar container of every pod it injects, and there the API
#   server validates them as it validates any container: a resource name that
#   is neither standard (cpu, memory, ephemeral-storage, hugepages-<size>) nor
#   fully qualified (example.com/gpu), a negative quantity, a request above its
#   limit, an extended resource or huge pages whose request differs from its
#   limit, huge pages that are not a whole number of pages or come without cpu
#   or memory. Then
#   every injected pod is refused, with an error on the pod's sidecar
#   container, not on the MeshConfig, so deployments stop scaling and
#   rolling out mesh-wide. Per-pod resource annotations are not judged here.
# custom:
#   code: MG1022
#   severity: deny
#   fix: Use cpu, memory, ephemeral-storage or a fully qualified name, and keep each request at or below its limit (equal to it for extended resources).
#   docs: docs/rules.md#mg1022
package meshguard.rules.meshconfig["sidecar-resources-rejected"]

import data.meshguard.finding
import data.meshguard.kube

# The checks are Kubernetes' own for a container's resources (k8s.io/kubernetes
# pkg/apis/core/validation: ValidateContainerResourceName, validateResourceName,
# validateResourceRequirements, ValidateResourceQuantityValue; names from
# pkg/apis/core/helper: IsStandardContainerResourceName, IsStandardResourceName,
# IsNativeResource, IsExtendedResourceName, IsOvercommitAllowed, v1.37.2).
# Quantities come compared from Go (input.facts.sidecarResources).

_refused := "every pod osm-edge injects is refused by the API server, on its sidecar container"

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.sidecar.resources.%s%s", [kind, _key(name)]),
	"message": sprintf("%s%s is not a resource name a container can have: %s: resources.%s[%s]: Invalid value: %q: %s%s", [
		kind, _key(name), _refused, kind, name, name, _name_error(name), _did_you_mean(name),
	]),
}) if {
	some [kind, name] in _entries
	_name_error(name)
}

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.sidecar.resources.%s%s", [kind, _key(name)]),
	"message": sprintf("%s%s %s is negative: %s: resources.%s[%s]: Invalid value: %q: must be greater than or equal to 0", [
		kind, _key(name), finding.quote(input.object.spec.sidecar.resources[kind][name]), _refused, kind, name, q.quantity,
	]),
}) if {
	kube.is_meshconfig
	some kind, list in input.facts.sidecarResources
	kind in {"limits", "requests"}
	some name, q in list
	q.sign < 0
}

# Extended resources (example.com/gpu) are counted in whole units.
findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.sidecar.resources.%s%s", [kind, _key(name)]),
	"message": sprintf("%s%s %s is not a whole number, which an extended resource must be: %s: resources.%s[%s]: Invalid value: %q: must be an integer", [
		kind, _key(name), finding.quote(input.object.spec.sidecar.resources[kind][name]), _refused, kind, name, q.quantity,
	]),
}) if {
	kube.is_meshconfig
	some kind, list in input.facts.sidecarResources
	kind in {"limits", "requests"}
	some name, q in list
	not _name_error(name)
	_extended(name)
	q.whole == false
}

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.sidecar.resources.requests%s", [_key(name)]),
	"message": sprintf("requests%s %s is above limits%s %s: %s: resources.requests: Invalid value: %q: must be less than or equal to %s limit of %s", [
		_key(name), finding.quote(_value("requests", name)), _key(name), finding.quote(_value("limits", name)),
		_refused, _fact("requests", name), name, _fact("limits", name),
	]),
}) if {
	kube.is_meshconfig
	some name, cmp in input.facts.sidecarResources.requestVsLimit
	not _name_error(name)
	_overcommit_allowed(name)
	cmp > 0
}

# Hugepages and extended resources cannot be overcommitted: a request must
# equal its limit, and needs one.
findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.sidecar.resources.requests%s", [_key(name)]),
	"message": sprintf("requests%s %s differs from limits%s %s, and %s cannot be overcommitted: %s: resources.requests: Invalid value: %q: must be equal to %s limit of %s", [
		_key(name), finding.quote(_value("requests", name)), _key(name), finding.quote(_value("limits", name)),
		name, _refused, _fact("requests", name), name, _fact("limits", name),
	]),
}) if {
	kube.is_meshconfig
	some name, cmp in input.facts.sidecarResources.requestVsLimit
	not _name_error(name)
	not _overcommit_allowed(name)
	cmp != 0
}

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.sidecar.resources.requests%s", [_key(name)]),
	"message": sprintf("requests%s has no limit, and %s cannot be overcommitted: %s: resources.limits: Required value: Limit must be set for non overcommitable resources", [
		_key(name), name, _refused,
	]),
}) if {
	some [kind, name] in _entries
	kind == "requests"
	not _name_error(name)
	not _overcommit_allowed(name)
	not _has_limit(name)
}

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.sidecar.resources.%s%s", [kind, _key(name)]),
	"message": sprintf("%s%s %s is not a whole number of %s pages: %s: resources.%s[%s]: Invalid value: %q: %s is not positive integer multiple of %s", [
		kind, _key(name), finding.quote(input.object.spec.sidecar.resources[kind][name]), trim_prefix(name, "hugepages-"), _refused, kind, name, q.quantity, q.quantity, name,
	]),
}) if {
	kube.is_meshconfig
	some kind, list in input.facts.sidecarResources
	kind in {"limits", "requests"}
	some name, q in list
	q.pageMultiple == false
}

findings contains finding.new(rego.metadata.chain(), {
	"path": "spec.sidecar.resources",
	"message": sprintf("huge pages (%s) come without cpu or memory: %s: resources: Forbidden: HugePages require cpu or memory", [concat(", ", sort(_hugepages)), _refused]),
}) if {
	count(_hugepages) > 0
	not _cpu_or_memory
}

_hugepages contains name if {
	some [_, name] in _entries
	startswith(name, "hugepages-")
}

_cpu_or_memory if {
	some [_, name] in _entries
	name in {"cpu", "memory"}
}

# _entries are the (kind, name) pairs of the MeshConfig's sidecar resources.
_entries contains [kind, name] if {
	kube.is_meshconfig
	some kind in ["limits", "requests"]
	list := input.object.spec.sidecar.resources[kind]
	is_object(list)
	some name, _ in list
}

_has_limit(name) if {
	limits := input.object.spec.sidecar.resources.limits
	is_object(limits)
	_ = limits[name]
}

_value(kind, name) := input.object.spec.sidecar.resources[kind][name]

_fact(kind, name) := input.facts.sidecarResources[kind][name].quantity

# _name_error is the API server's reason for refusing name on a container.
_name_error(name) := "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character" if {
	not _qualified(name)
} else := "must be a standard resource type or fully qualified" if {
	not contains(name, "/")
	not _standard_resource(name)
} else := "must be a standard resource for containers" if {
	not contains(name, "/")
	not _standard_container_resource(name)
} else := "doesn't follow extended resource name standard" if {
	not _native(name)
	not _extended(name)
}

# IsQualifiedName: an optional DNS subdomain prefix and "/", then a name of at
# most 63 characters.
_qualified(name) if {
	not contains(name, "/")
	_qualified_name_part(name)
}

_qualified(name) if {
	parts := split(name, "/")
	count(parts) == 2
	count(parts[0]) <= 253
	regex.match(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`, parts[0])
	_qualified_name_part(parts[1])
}

_qualified_name_part(s) if {
	count(s) <= 63
	regex.match(`^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`, s)
}

_standard_container_resource(name) if name in {"cpu", "memory", "ephemeral-storage"}

_standard_container_resource(name) if startswith(name, "hugepages-")

# IsStandardResourceName: quota names too, which a container may not have.
_standard_resource(name) if name in {
	"cpu", "memory", "ephemeral-storage",
	"requests.cpu", "requests.memory", "requests.ephemeral-storage",
	"limits.cpu", "limits.memory", "limits.ephemeral-storage",
	"pods", "resourcequotas", "services", "replicationcontrollers", "secrets", "configmaps",
	"persistentvolumeclaims", "storage", "requests.storage", "services.nodeports", "services.loadbalancers",
}

_standard_resource(name) if startswith(name, "hugepages-")

_standard_resource(name) if startswith(name, "requests.hugepages-")

_native(name) if not contains(name, "/")

_native(name) if contains(name, "kubernetes.io/")

# IsExtendedResourceName: the quota name requests.<name> must be qualified too.
_extended(name) if {
	not _native(name)
	not startswith(name, "requests.")
	_qualified(concat("", ["requests.", name]))
}

_overcommit_allowed(name) if {
	_native(name)
	not startswith(name, "hugepages-")
}

# _did_you_mean suggests the standard container resource a misspelt name
# stands for: the same name in other case or with "_", a quota name
# (requests.cpu), a common shorthand (mem, cpus) or a prefix of one.
_did_you_mean(name) := sprintf("; did you mean %q?", [s]) if {
	s := _closest(name)
} else := ""

_closest(name) := s if {
	some s in _container_names
	_norm(name) == s
} else := s if {
	s := _shorthands[_norm(name)]
} else := s if {
	some s in _container_names
	count(_norm(name)) >= 2
	startswith(s, _norm(name))
} else := s if {
	some s in _container_names
	startswith(_norm(name), s)
}

_container_names := ["cpu", "memory", "ephemeral-storage"]

_shorthands := {
	"ram": "memory",
	"mem": "memory",
	"storage": "ephemeral-storage",
	"disk": "ephemeral-storage",
	"ephemeral": "ephemeral-storage",
	"ephemeralstorage": "ephemeral-storage",
	"core": "cpu",
	"cores": "cpu",
}

_norm(name) := trim_prefix(trim_prefix(replace(lower(name), "_", "-"), "requests."), "limits.")

# Resource names such as nvidia.com/gpu are bracketed so the path stays readable.
_key(name) := sprintf(".%s", [name]) if regex.match(`^[A-Za-z0-9_-]+$`, name)

_key(name) := sprintf("[%q]", [name]) if not regex.match(`^[A-Za-z0-9_-]+$`, name)
