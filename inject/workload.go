package inject

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// templatePaths are where each workload kind keeps its pod template; a Pod is
// its own.
var templatePaths = map[string][]string{
	"Pod":         nil,
	"Deployment":  {"spec", "template"},
	"StatefulSet": {"spec", "template"},
	"DaemonSet":   {"spec", "template"},
	"ReplicaSet":  {"spec", "template"},
	"Job":         {"spec", "template"},
	"CronJob":     {"spec", "jobTemplate", "spec", "template"},
}

// TemplatePath is where a workload kind keeps its pod template, as a field
// path (spec.template); "" for a Pod, and for a kind that is no workload.
func TemplatePath(kind string) string {
	return strings.Join(templatePaths[kind], ".")
}

// Kinds lists the kinds Workload accepts.
func Kinds() []string {
	return []string{"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"}
}

// IsWorkload reports whether kind holds a pod template Workload can inject.
func IsWorkload(kind string) bool {
	_, ok := templatePaths[kind]
	return ok
}

// PodOf returns the pod a workload object makes: the Pod itself, or one made
// from its template, in the object's namespace ("default" when it has none).
func PodOf(obj map[string]any) (*corev1.Pod, error) {
	kind, _ := obj["kind"].(string)
	path, ok := templatePaths[kind]
	if !ok {
		return nil, fmt.Errorf("kind %q has no pod template (injectable kinds: %s)", kind, strings.Join(Kinds(), ", "))
	}
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	ns, _ := meta["namespace"].(string)
	if ns == "" {
		ns = "default"
	}
	if path == nil {
		p := &corev1.Pod{}
		if err := convert(obj, p); err != nil {
			return nil, decodeError(err)
		}
		p.Namespace = ns
		return p, nil
	}
	tmpl, ok := nested(obj, path)
	if !ok {
		return nil, fmt.Errorf("no %s (an object)", strings.Join(path, "."))
	}
	var t corev1.PodTemplateSpec
	if err := convert(tmpl, &t); err != nil {
		return nil, fmt.Errorf("%s: %w", strings.Join(path, "."), decodeError(err))
	}
	p := &corev1.Pod{ObjectMeta: t.ObjectMeta, Spec: t.Spec}
	p.Namespace, p.Name = ns, name
	return p, nil
}

// WithPod returns a copy of a workload object with the pod's metadata labels
// and annotations and its spec written back (into the template for workloads).
func WithPod(obj map[string]any, p *corev1.Pod) (map[string]any, error) {
	kind, _ := obj["kind"].(string)
	path := templatePaths[kind]
	out := map[string]any{}
	if err := convert(obj, &out); err != nil { // a deep copy
		return nil, err
	}
	var spec map[string]any
	if err := convert(p.Spec, &spec); err != nil {
		return nil, err
	}
	target := out
	if path != nil {
		t, _ := nested(out, path)
		target = t
	}
	target["spec"] = spec
	meta, _ := target["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		target["metadata"] = meta
	}
	if len(p.Labels) > 0 {
		meta["labels"] = toAny(p.Labels)
	}
	if len(p.Annotations) > 0 {
		meta["annotations"] = toAny(p.Annotations)
	}
	return out, nil
}

func toAny(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func nested(obj map[string]any, path []string) (map[string]any, bool) {
	cur := obj
	for _, k := range path {
		next, ok := cur[k].(map[string]any)
		if !ok {
			return nil, false
		}
		cur = next
	}
	return cur, true
}

// convert round-trips through JSON: between a decoded manifest and the API
// types, and as a deep copy.
func convert(in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// decodeError says which field has the wrong type, and why that happens in
// YAML: unquoted yes, no, on and off are booleans.
func decodeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		msg := fmt.Sprintf("%s is a %s, not a %s", te.Field, te.Value, te.Type)
		if te.Value == "bool" {
			msg += " (YAML reads unquoted yes, no, on, off, true and false as booleans: quote the value)"
		}
		return errors.New(msg)
	}
	return err
}
