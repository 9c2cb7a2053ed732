package inject

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Annotations and labels osm-edge reads (spec §4.2, §4.3).
const (
	AnnotationInjection  = "openservicemesh.io/sidecar-injection"
	AnnotationMetrics    = "openservicemesh.io/metrics"
	LabelMonitoredBy     = "openservicemesh.io/monitored-by"
	LabelIgnore          = "openservicemesh.io/ignore"
	LabelProxyUUID       = "osm-proxy-uuid"
	AnnotationOutPorts   = "openservicemesh.io/outbound-port-exclusion-list"
	AnnotationInPorts    = "openservicemesh.io/inbound-port-exclusion-list"
	AnnotationOutIPs     = "openservicemesh.io/outbound-ip-range-exclusion-list"
	AnnotationOutInclIPs = "openservicemesh.io/outbound-ip-range-inclusion-list"
)

// Reason says why a pod is or is not injected, one per rule of spec §4.2.
type Reason string

// The reasons, in the order osm-edge checks them.
const (
	ReasonHostNetwork        Reason = "host-network"
	ReasonSystemNamespace    Reason = "system-namespace"
	ReasonUnmonitored        Reason = "namespace-not-monitored"
	ReasonNamespaceExcluded  Reason = "namespace-excluded"
	ReasonPodDisabled        Reason = "pod-annotation-disabled"
	ReasonPodEnabled         Reason = "pod-annotation-enabled"
	ReasonNamespaceEnabled   Reason = "namespace-annotation-enabled"
	ReasonNamespaceDisabled  Reason = "namespace-annotation-disabled"
	ReasonNoAnnotation       Reason = "no-annotation"
	ReasonAlreadyInjected    Reason = "already-injected"
	ReasonNamespaceNotFound  Reason = "namespace-not-found"
	ReasonInvalidAnnotation  Reason = "invalid-annotation"
	ReasonUnsupportedPodSpec Reason = "unsupported"
)

// Decision is whether a pod is injected, and why.
type Decision struct {
	Inject bool
	Reason Reason
	// Detail is the sentence --explain prints.
	Detail string
}

// AnnotationError is an annotation value osm-edge rejects the pod for.
type AnnotationError struct {
	Key, Value string
	// On is "pod" or "namespace <name>".
	On string
}

func (e *AnnotationError) Error() string {
	return fmt.Sprintf("invalid value %q of annotation %q on the %s: it must be enabled, yes or true, or disabled, no or false", e.Value, e.Key, e.On)
}

// boolAnnotation reads an enabled/disabled annotation, case-insensitively,
// as osm-edge does; ok is false when absent.
func boolAnnotation(ann map[string]string, key, on string) (value, ok bool, err error) {
	v, present := ann[key]
	if !present {
		return false, false, nil
	}
	switch strings.ToLower(v) {
	case "enabled", "yes", "true":
		return true, true, nil
	case "disabled", "no", "false":
		return false, true, nil
	}
	return false, true, &AnnotationError{Key: key, Value: v, On: on}
}

// Decide applies osm-edge's selection (spec §4.2) to a pod in a namespace:
// ns nil means the namespace is not known (not in the cache); meshName and
// osmNamespace identify the mesh. An invalid injection annotation is an
// error, for which osm-edge rejects the pod.
func Decide(pod *corev1.Pod, ns *corev1.Namespace, meshName, osmNamespace string) (Decision, error) {
	if pod.Spec.HostNetwork {
		return Decision{Reason: ReasonHostNetwork, Detail: "spec.hostNetwork is true: a pod on the node's network cannot have its traffic intercepted, so osm-edge skips it"}, nil
	}
	name := pod.Namespace
	if ns != nil {
		name = ns.Name
	}
	switch name {
	case "kube-system", "kube-public", osmNamespace:
		return Decision{Reason: ReasonSystemNamespace, Detail: fmt.Sprintf("namespace %s is never injected (kube-system, kube-public and the control plane's %s)", name, osmNamespace)}, nil
	}
	if ns == nil {
		return Decision{Reason: ReasonNamespaceNotFound, Detail: fmt.Sprintf("namespace %s is not known", name)}, nil
	}
	if got := ns.Labels[LabelMonitoredBy]; got != meshName {
		detail := fmt.Sprintf("namespace %s has no %s=%s label (osm namespace add %s)", ns.Name, LabelMonitoredBy, meshName, ns.Name)
		if got != "" {
			detail = fmt.Sprintf("namespace %s is monitored by mesh %q, not %q", ns.Name, got, meshName)
		}
		return Decision{Reason: ReasonUnmonitored, Detail: detail}, nil
	}
	for _, l := range []string{LabelIgnore, "control-plane"} {
		if _, ok := ns.Labels[l]; ok {
			return Decision{Reason: ReasonNamespaceExcluded, Detail: fmt.Sprintf("namespace %s has the label %s, which osm-edge's webhook selector excludes (osm namespace ignore sets %s)", ns.Name, l, LabelIgnore)}, nil
		}
	}
	if Injected(pod) {
		return Decision{Reason: ReasonAlreadyInjected, Detail: fmt.Sprintf("the pod was already injected (its %s volume names the Secret of its %s label); injection is never repeated", BootstrapVolume, LabelProxyUUID)}, nil
	}
	podOn, podSet, err := boolAnnotation(pod.Annotations, AnnotationInjection, "pod")
	if err != nil {
		return Decision{Reason: ReasonInvalidAnnotation}, err
	}
	nsOn, nsSet, err := boolAnnotation(ns.Annotations, AnnotationInjection, "namespace "+ns.Name)
	if err != nil {
		return Decision{Reason: ReasonInvalidAnnotation}, err
	}
	switch {
	case podSet && podOn:
		return Decision{Inject: true, Reason: ReasonPodEnabled, Detail: fmt.Sprintf("the pod's %s annotation enables injection", AnnotationInjection)}, nil
	case podSet:
		return Decision{Reason: ReasonPodDisabled, Detail: fmt.Sprintf("the pod's %s annotation disables injection", AnnotationInjection)}, nil
	case nsSet && nsOn:
		return Decision{Inject: true, Reason: ReasonNamespaceEnabled, Detail: fmt.Sprintf("namespace %s's %s annotation enables injection and the pod does not override it", ns.Name, AnnotationInjection)}, nil
	case nsSet:
		return Decision{Reason: ReasonNamespaceDisabled, Detail: fmt.Sprintf("namespace %s's %s annotation disables injection (osm namespace add --disable-sidecar-injection)", ns.Name, AnnotationInjection)}, nil
	}
	return Decision{Reason: ReasonNoAnnotation, Detail: fmt.Sprintf("neither the pod nor namespace %s has the %s annotation", ns.Name, AnnotationInjection)}, nil
}

// Injected reports whether a pod already went through injection: its
// bootstrap volume names the Secret of its own osm-proxy-uuid label. The
// webhook is reinvoked (reinvocationPolicy: IfNeeded) on such pods and must
// change nothing.
func Injected(pod *corev1.Pod) bool {
	v := bootstrapVolume(pod)
	return v != nil && v.Secret != nil && pod.Labels[LabelProxyUUID] != "" &&
		v.Secret.SecretName == BootstrapSecretName(pod.Labels[LabelProxyUUID])
}

// AnnotationSecretPod, on a bootstrap Secret meshguard creates, is the pod
// it was created for (PodKey): a pod that comes back with the Secret's
// osm-proxy-uuid and another name is a copy, not the same pod again.
const AnnotationSecretPod = "meshguard.io/pod"

// PodKey is how a bootstrap Secret names its pod: the pod's name, or its
// generateName and "*" before the API server names it.
func PodKey(pod *corev1.Pod) string {
	if pod.Name != "" {
		return pod.Name
	}
	return pod.GenerateName + "*"
}

// SamePod reports whether a pod that carries the osm-proxy-uuid label and
// bootstrap volume of secret is the pod secret was made for: the webhook
// reinvoked on the pod it injected (reinvocationPolicy: IfNeeded). A copy
// of an injected pod's manifest (kubectl get -o yaml, edited and created)
// carries them too, under another name; osm-edge gives it an id and a copy
// of the Secret of its own (spec §4.4 steps 2 and 6), and so must meshguard.
//
// A Secret without the annotation (made by an earlier meshguard, reinvoked
// on a replica of this one during an upgrade) says nothing: the pod is
// taken to be the same, as before the annotation.
//
// A pod the API server has not named yet (generateName) is known by its
// generateName only, which the pods of one ReplicaSet share: it is the same
// pod only while the Secret is new, within ReinvocationWindow (the webhook
// is reinvoked within the request's timeout). A copy is made later.
func SamePod(pod *corev1.Pod, secret *corev1.Secret, now time.Time) bool {
	made, noted := secret.Annotations[AnnotationSecretPod]
	switch {
	case !noted:
		return true
	case made != PodKey(pod):
		return false
	case pod.Name != "":
		return true
	}
	return secret.CreationTimestamp.IsZero() || now.Sub(secret.CreationTimestamp.Time) < ReinvocationWindow
}

// ReinvocationWindow is how long after its Secret was made an unnamed pod
// may come back as the same pod: well beyond the webhook's timeoutSeconds.
const ReinvocationWindow = 30 * time.Second

// DebugCopy reports whether a pod carries another pod's bootstrap volume,
// as a kubectl debug --copy-to copy of an injected pod does (without its
// labels). osm-edge gives it a copy of that Secret and adds nothing else
// (spec §4.4 step 6).
func DebugCopy(pod *corev1.Pod) bool {
	return bootstrapVolume(pod) != nil && !Injected(pod)
}

func bootstrapVolume(pod *corev1.Pod) *corev1.Volume {
	for i := range pod.Spec.Volumes {
		if pod.Spec.Volumes[i].Name == BootstrapVolume {
			return &pod.Spec.Volumes[i]
		}
	}
	return nil
}
