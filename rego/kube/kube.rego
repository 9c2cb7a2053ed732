# METADATA
# title: Kubernetes and osm-edge accessors
# description: |
#   Small, shared questions about the object under review and the cluster view
#   (input.inventory), so that rules read as judgements, not plumbing.
package meshguard.kube

# group returns the API group of an apiVersion ("" for the core group).
group(api_version) := substring(api_version, 0, i) if {
	i := indexof(api_version, "/")
	i > 0
}

group(api_version) := "" if not contains(api_version, "/")

# version returns the version part of an apiVersion.
version(api_version) := parts[count(parts) - 1] if parts := split(api_version, "/")

is_kind(obj, g, kind) if {
	obj.kind == kind
	group(obj.apiVersion) == g
}

# The is_ rules ask about the object under review. Every rule asks one of
# them, so they are plain comparisons (no function calls): cheap to evaluate.
is_meshconfig if {
	input.object.kind == "MeshConfig"
	startswith(input.object.apiVersion, "config.openservicemesh.io/")
}

is_egress if {
	input.object.kind == "Egress"
	startswith(input.object.apiVersion, "policy.openservicemesh.io/")
}

is_upstream_traffic_setting if {
	input.object.kind == "UpstreamTrafficSetting"
	startswith(input.object.apiVersion, "policy.openservicemesh.io/")
}

is_pod if {
	input.object.kind == "Pod"
	input.object.apiVersion == "v1"
}

# pod_namespace is the Namespace object of the pod under review, when the
# cluster view has it (the first, should the inputs show it twice).
pod_namespace := matches[0] if {
	is_pod
	matches := [ns |
		some ns in input.inventory.namespaces
		ns.metadata.name == input.object.metadata.namespace
	]
	count(matches) > 0
}

# annotation is an annotation of obj, "" when absent.
annotation(obj, key) := object.get(obj, ["metadata", "annotations", key], "")

# ref names an object as users read it in kubectl: Kind namespace/name.
ref(obj) := sprintf("%s %s/%s", [obj.kind, obj.metadata.namespace, name_of(obj)]) if obj.metadata.namespace

else := sprintf("%s %s", [obj.kind, name_of(obj)])

# name_of is an object's name; a pod the API server has not named yet (from a
# ReplicaSet or a Job, at admission) is shown by its generateName, "web-7d9f-*".
name_of(obj) := obj.metadata.name if is_string(obj.metadata.name)

else := concat("", [obj.metadata.generateName, "*"]) if is_string(obj.metadata.generateName)

else := "(unnamed)"

# object_ref is ref(input.object), computed once per evaluation for every
# finding that names the object under review.
object_ref := concat("", [input.object.kind, " ", input.object.metadata.namespace, "/", input.object.metadata.name]) if {
	# ref(input.object) without the cost of a function call, for the usual
	# object; the same text
	is_string(input.object.kind)
	is_string(input.object.metadata.namespace)
	is_string(input.object.metadata.name)
} else := ref(input.object)

# id is namespace/name, the key the inventory uses. A name or namespace that
# is not a string (the API server would refuse it; a file may hold one) is
# written as JSON, as policies/index.go writes it.
id(obj) := concat("/", [_id_part(object.get(obj, ["metadata", "namespace"], "")), _id_part(object.get(obj, ["metadata", "name"], ""))])

_id_part(v) := v if is_string(v)

else := json.marshal(v)

# mesh_config is the MeshConfig that governs the object under review: the object
# itself when it is one, else the cluster's (or the CLI's) MeshConfig.
mesh_config := input.object if is_meshconfig

mesh_config := input.inventory.meshConfig if {
	not is_meshconfig
	input.inventory.meshConfig
}

mesh_config_ref := concat("", [mesh_config.kind, " ", mesh_config.metadata.namespace, "/", mesh_config.metadata.name]) if {
	# as object_ref
	is_string(mesh_config.kind)
	is_string(mesh_config.metadata.namespace)
	is_string(mesh_config.metadata.name)
} else := ref(mesh_config)

# index holds the inventory's lookup tables: precomputed by the engine once
# per inventory, else computed here.
index := input.inventory.index if input.inventory.index

index := data.meshguard.index.index if not input.inventory.index

# egress_ids are the namespace/name of the mesh's Egress policies other than
# the object under review (an UPDATE must not count the old copy of itself),
# sorted, for messages that name them (finding.names).
egress_ids := [i | some i in index.egressIds; not _is_self(i); not _unmonitored_id(i)]

# osm-edge uses the Egress policies of the namespaces it monitors only: one
# in a Namespace the view shows unmonitored is not one the mesh has
# (MG3004 says so of it).
_unmonitored_id(i) if unmonitored_namespace(split(i, "/")[0])

# unmonitored_namespace is true when the view has the Namespace ns and it is
# not labelled openservicemesh.io/monitored-by with the mesh's name.
unmonitored_namespace(ns) if {
	labels := index.namespaceLabels[ns]
	not monitored_labels(labels)
}

# object_unmonitored is true when the object under review is in a Namespace
# the view shows unmonitored (a helper: a negated call on an undefined
# namespace would be undefined, not true).
object_unmonitored if unmonitored_namespace(input.object.metadata.namespace)

# monitored_labels is true when labels hold openservicemesh.io/monitored-by
# with the mesh's name (any mesh when the inventory names none).
monitored_labels(labels) if {
	object.get(input, ["inventory", "meshName"], "") == ""
	not object.get(labels, "openservicemesh.io/monitored-by", "") in {"", null}
}

monitored_labels(labels) if {
	mesh := object.get(input, ["inventory", "meshName"], "")
	mesh != ""
	object.get(labels, "openservicemesh.io/monitored-by", "") == mesh
}

# port_account_key is the index key of port number n used by ServiceAccount
# account ("namespace/name").
port_account_key(n, account) := concat("|", [format_int(n, 10), account])

# egresses_on_port_for are the other Egress policies that open port number n
# for ServiceAccount account ("namespace/name") with a protocol whose
# tcp-server-first-ness differs from server_first: {id, protocol}. Those in
# namespaces osm-edge does not monitor are left out: it ignores them.
egresses_on_port_for(n, account, server_first) := {e |
	table := _port_tables[server_first]
	some e in table[port_account_key(n, account)]
	not _is_self(e.id)
	not _unmonitored_id(e.id)
}

# a tcp-server-first port looks among the other protocols, and the reverse
_port_tables := {true: index.egressNotServerFirst, false: index.egressServerFirst}

# port_on_other_side is true when some Egress policy opens port number n with
# a protocol on the other side of server_first (tcp-server-first against the
# rest): egresses_on_port_for can find something only then, and this is one
# lookup.
port_on_other_side(n, server_first) if _port_sets[server_first][format_int(n, 10)]

_port_sets := {true: index.egressNotServerFirstPorts, false: index.egressServerFirstPorts}

# egress_protocols are the Egress port protocols osm-edge knows.
egress_protocols := {"http", "https", "tcp", "tcp-server-first"}

_is_self(i) if {
	is_egress
	i == _self_id
}

# _self_id is the id of the object under review, computed once per evaluation.
_self_id := id(input.object)

# accounts are the namespace/name of the ServiceAccounts a policy applies to.
accounts(policy) := {sprintf("%s/%s", [src.namespace, src.name]) |
	some src in policy.spec.sources
	src.kind == "ServiceAccount"
	is_string(src.name)
	is_string(src.namespace)
	src.name != ""
	src.namespace != ""
}

# passthrough is true when mesh-wide egress passthrough is on in cfg.
# meshconfig_never_read is true for a MeshConfig osm-edge never reads: one
# named other than osm-mesh-config (MG1005). What it sets changes nothing.
meshconfig_never_read if {
	is_meshconfig
	name := input.object.metadata.name
	is_string(name)
	name != "osm-mesh-config"
}

# command_target names a command and the object it sends, for a stand-in
# object: "kubectl patch of MeshConfig osm-mesh-config". The command is
# input.patch.source, else kubectl patch; a command that names only a kind
# (kubectl edit meshconfig -n osm-system) gets no name.
command_target := sprintf("%s of %s%s", [_command, input.object.kind, _name_part])

_command := input.patch.source if {
	is_string(input.patch.source)
	input.patch.source != ""
} else := "kubectl patch"

_name_part := sprintf(" %s", [name]) if {
	name := input.object.metadata.name
	is_string(name)
	name != ""
} else := ""

passthrough(cfg) if cfg.spec.traffic.enableEgress == true

# egress_policy_enabled is true when featureFlags.enableEgressPolicy is on.
# osm-edge reads the MeshConfig into Go structs, so a flag that is not set is
# false (the install sets it true; the CRD has no default). That holds of the
# MeshConfigs an admission review shows, as the API server stores them; a
# manifest in a repository often shows only the fields its author changes
# (kubectl apply merges it into the stored one), so offline only false is off.
egress_policy_enabled(cfg) if cfg.spec.featureFlags.enableEgressPolicy == true

egress_policy_enabled(cfg) if {
	not admission
	not cfg.spec.featureFlags.enableEgressPolicy == false
}

# admission is true when the rules judge an admission request: the object,
# the old object and the cluster view are as the API server stores them.
admission if input.admission == true

# egress_policy_state says how a MeshConfig turns Egress policies off.
egress_policy_state(cfg) := "is false" if cfg.spec.featureFlags.enableEgressPolicy == false

else := "is not set (osm-edge reads that as false)"

# updating is true when the request changes an object that existed before.
updating if {
	input.operation == "UPDATE"
	input.oldObject
}

# protocol of an Egress port, lower-cased, as osm-edge compares it.
protocol(port) := lower(port.protocol) if is_string(port.protocol)

# is_policy is true for the policy.openservicemesh.io kinds meshguard has schemas for.
is_policy if is_egress

is_policy if is_upstream_traffic_setting

# has_hosts and has_ip_addresses are has_items for the object under review,
# computed once per evaluation for the rules that ask.
has_hosts if has_items(input.object.spec, "hosts")

has_ip_addresses if has_items(input.object.spec, "ipAddresses")

# has_items is true when obj[key] is a non-empty array (an absent, null or empty
# list counts as not set, as osm-edge reads it).
has_items(obj, key) if {
	v := object.get(obj, key, [])
	is_array(v)
	count(v) > 0
}

# smi_match_api_group and policy_match_api_group are the only values osm-edge's
# Egress validator accepts in spec.matches[].apiGroup: group/version strings.
smi_match_api_group := "specs.smi-spec.io/v1alpha4"

policy_match_api_group := "policy.openservicemesh.io/v1alpha1"

# injected is true when osm-edge's injector gives the pod under review its
# sidecar. The injecting webhook knows, and says so in
# input.facts.injection (osm-edge's selection, decided in Go); offline, a
# pod is taken as injected unless it is on the host network, opts out with
# its annotation, is in a system namespace, or its Namespace among the
# inputs is not one osm-edge injects pods of. The rules about what
# injection does to a pod speak only of pods it injects.
injected if input.facts.injection.inject == true

injected if {
	is_pod
	not input.facts.injection
	not input.object.spec.hostNetwork == true
	_selected
}

# injected_but_for_host_network is injected for a pod on the host network,
# which osm-edge never injects: would it be, on the pod network?
injected_but_for_host_network if input.facts.injection.injectedButForHostNetwork == true

injected_but_for_host_network if {
	is_pod
	not input.facts.injection
	_selected
}

# reads_injection_annotations is true when osm-edge's selection gets as far
# as the pod's and its namespace's injection annotations, where a value it
# cannot read rejects the pod: not for a pod on the host network, in a
# system namespace, or in a namespace its webhook does not watch, which it
# admits as they are (spec §4.2).
reads_injection_annotations if {
	input.facts.injection
	not input.facts.injection.reason in _selected_before_annotations
}

reads_injection_annotations if {
	is_pod
	not input.facts.injection
	not input.object.spec.hostNetwork == true
	not _system_namespace
	not _namespace_outside
	not _already_injected
}

_selected_before_annotations := {"host-network", "system-namespace", "namespace-not-found", "namespace-not-monitored", "namespace-excluded", "already-injected"}

injection_annotation := "openservicemesh.io/sidecar-injection"

# injection_on and injection_off are the values osm-edge reads as enabled
# and disabled, lower-cased.
injection_on := {"enabled", "yes", "true"}

injection_off := {"disabled", "no", "false"}

_selected if {
	not _system_namespace
	not _namespace_outside
	not _already_injected
	_opted_in
}

# _already_injected is a pod that went through injection (a stored pod's
# manifest, or a kubectl debug copy, which drops the labels): its bootstrap
# volume says so. osm-edge only copies its Secret, and the sidecar's own
# ports and user are not the application's.
_already_injected if {
	some v in input.object.spec.volumes
	v.name == "sidecar-bootstrap-config-volume"
}

_system_namespace if input.object.metadata.namespace in {"kube-system", "kube-public", object.get(input, ["inventory", "meshConfig", "metadata", "namespace"], "osm-system")}

# The pod's annotation first, then its namespace's (when the inputs show it).
_opted_in if _enables(input.object)

_opted_in if {
	not input.object.metadata.annotations[injection_annotation]
	not _namespace_declines
}

# (A helper: OPA evaluates the operands of a negated `in` outside the
# negation, so `not lower(x) in s` is undefined, not true, when x is.)
_enables(obj) if lower(obj.metadata.annotations[injection_annotation]) in injection_on

# _namespace_outside is true when the inputs show the pod's Namespace and
# osm-edge's webhook does not see its pods: not monitored by the mesh, or
# excluded.
_namespace_outside if {
	ns := pod_namespace
	not _namespace_watched(ns)
}

_namespace_watched(ns) if {
	monitored(ns)
	not ns.metadata.labels["openservicemesh.io/ignore"]
	not ns.metadata.labels["control-plane"]
}

# _namespace_declines is true when the inputs show the pod's Namespace and it
# does not enable injection.
_namespace_declines if {
	ns := pod_namespace
	not _enables(ns)
}

# monitored is true when a Namespace is labelled
# openservicemesh.io/monitored-by with the mesh's name.
monitored(ns) if monitored_labels(object.get(ns, ["metadata", "labels"], {}))

# ebpf is true when the mesh intercepts traffic with eBPF: no osm-init, so
# nothing of its iptables rules applies.
ebpf if mesh_config.spec.traffic.interceptionMode == "ebpf"

# sidecar_class is a MeshConfig's sidecar class as osm-edge uses it:
# lower-cased (it picks the sidecarDrivers entry case-insensitively), and
# pipy when the MeshConfig sets none (osm-edge falls back to
# OSM_DEFAULT_SIDECAR_CLASS, which its chart sets to pipy).
sidecar_class(cfg) := lower(c) if {
	c := cfg.spec.sidecar.sidecarClass
	is_string(c)
	c != ""
} else := "pipy"
