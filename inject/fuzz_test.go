package inject

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/meshguard/meshguard/manifests"
)

// FuzzInject: any object decodes into a pod or fails with an error, and any
// pod and annotations are decided and injected or refused with an error,
// never a panic; an injected pod is recognised as injected.
func FuzzInject(f *testing.F) {
	golden, _ := filepath.Glob("testdata/golden/*.yaml")
	for _, g := range golden {
		if b, err := os.ReadFile(g); err == nil {
			f.Add(b, "enabled", "6379,0", "10.0.0.0/8,junk")
		}
	}
	f.Add([]byte("kind: Deployment\nspec:\n  template:\n    spec:\n      containers: [{name: a}]\n"), "on", "70000", "::/0")
	f.Add([]byte("kind: CronJob\nspec: {jobTemplate: {spec: {template: 1}}}\n"), "", "", "")
	mc := installDefaultsF(f)
	f.Fuzz(func(t *testing.T, doc []byte, injection, ports, cidrs string) {
		var obj map[string]any
		if yaml.Unmarshal(doc, &obj) != nil || obj == nil {
			return
		}
		if _, ok := obj["kind"].(string); !ok {
			obj["kind"] = "Pod"
		}
		p, err := PodOf(obj)
		if err != nil {
			return
		}
		if p.Annotations == nil {
			p.Annotations = map[string]string{}
		}
		p.Annotations[AnnotationInjection] = injection
		p.Annotations[AnnotationOutPorts] = ports
		p.Annotations[AnnotationOutIPs] = cidrs
		ns := namespace(p.Namespace, monitored, map[string]string{AnnotationInjection: "enabled"})
		d, err := Decide(p, ns, "osm", "osm-system")
		if err != nil || !d.Inject {
			return
		}
		r, err := Inject(p, ns, Config{MeshConfig: mc, MeshName: "osm", Namespace: "osm-system"}, "id")
		if err != nil {
			return
		}
		if !Injected(r.Pod) && r.CopyFrom == "" {
			t.Fatal("an injected pod is not recognised as injected")
		}
		if _, err := WithPod(obj, r.Pod); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		Explain(&b, "pod", d, r, nil)
		if b.Len() == 0 {
			t.Fatal("no explanation")
		}
	})
}

func installDefaultsF(f *testing.F) *MeshConfig {
	var obj map[string]any
	if err := yaml.Unmarshal(manifests.DefaultMeshConfig, &obj); err != nil {
		f.Fatal(err)
	}
	mc, err := ParseMeshConfig(obj)
	if err != nil {
		f.Fatal(err)
	}
	return mc
}
