package inject

import (
	"errors"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func pod(ns string, ann map[string]string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: ns, Annotations: ann},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "app:1"}}},
	}
}

func namespace(name string, labels, ann map[string]string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels, Annotations: ann}}
}

var monitored = map[string]string{LabelMonitoredBy: "osm"}

// Every reason of spec §4.2, in osm-edge's order.
func TestDecide(t *testing.T) {
	enabled := map[string]string{AnnotationInjection: "enabled"}
	disabled := map[string]string{AnnotationInjection: "Disabled"}
	hostNet := pod("curl", enabled)
	hostNet.Spec.HostNetwork = true
	injected := pod("curl", nil)
	injected.Labels = map[string]string{LabelProxyUUID: "u1"}
	injected.Spec.Volumes = []corev1.Volume{{Name: BootstrapVolume, VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: BootstrapSecretName("u1")}}}}
	cases := []struct {
		name   string
		pod    *corev1.Pod
		ns     *corev1.Namespace
		inject bool
		reason Reason
	}{
		{"host network", hostNet, namespace("curl", monitored, enabled), false, ReasonHostNetwork},
		{"kube-system", pod("kube-system", enabled), namespace("kube-system", monitored, enabled), false, ReasonSystemNamespace},
		{"control plane", pod("osm-system", enabled), namespace("osm-system", monitored, enabled), false, ReasonSystemNamespace},
		{"namespace unknown", pod("curl", enabled), nil, false, ReasonNamespaceNotFound},
		{"not monitored", pod("curl", enabled), namespace("curl", nil, enabled), false, ReasonUnmonitored},
		{"other mesh", pod("curl", enabled), namespace("curl", map[string]string{LabelMonitoredBy: "edge"}, enabled), false, ReasonUnmonitored},
		{"already injected", injected, namespace("curl", monitored, enabled), false, ReasonAlreadyInjected},
		{"pod enables", pod("curl", map[string]string{AnnotationInjection: "YES"}), namespace("curl", monitored, disabled), true, ReasonPodEnabled},
		{"pod disables", pod("curl", disabled), namespace("curl", monitored, enabled), false, ReasonPodDisabled},
		{"namespace enables", pod("curl", nil), namespace("curl", monitored, enabled), true, ReasonNamespaceEnabled},
		{"namespace disables", pod("curl", nil), namespace("curl", monitored, disabled), false, ReasonNamespaceDisabled},
		{"no annotation", pod("curl", nil), namespace("curl", monitored, nil), false, ReasonNoAnnotation},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := Decide(c.pod, c.ns, "osm", "osm-system")
			if err != nil {
				t.Fatal(err)
			}
			if d.Inject != c.inject || d.Reason != c.reason || d.Detail == "" {
				t.Errorf("got %+v, want inject=%v reason=%s", d, c.inject, c.reason)
			}
		})
	}
}

// An invalid injection annotation rejects the pod, on the pod or on its
// namespace, and the error names the annotation and where it is.
func TestDecideInvalidAnnotation(t *testing.T) {
	for _, c := range []struct {
		pod *corev1.Pod
		ns  *corev1.Namespace
		on  string
	}{
		{pod("curl", map[string]string{AnnotationInjection: "on"}), namespace("curl", monitored, nil), "pod"},
		{pod("curl", nil), namespace("curl", monitored, map[string]string{AnnotationInjection: "1"}), "namespace curl"},
	} {
		_, err := Decide(c.pod, c.ns, "osm", "osm-system")
		var ae *AnnotationError
		if !errors.As(err, &ae) || ae.Key != AnnotationInjection || ae.On != c.on {
			t.Errorf("err = %v, want an AnnotationError on %s", err, c.on)
		}
	}
}
