package main

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/google/uuid"
	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/meshguard/meshguard/inject"
	"github.com/meshguard/meshguard/policies"
	"github.com/meshguard/meshguard/policies/source"
)

func newInjectCommand(s streams) *cobra.Command {
	var (
		files            []string
		meshConfig       string
		namespaceLabels  []string
		meshName         string
		osmNamespace     string
		output           string
		explain          bool
		injectorLogLevel string
	)
	cmd := &cobra.Command{
		Use:   "inject -f FILE [-f FILE]... [--explain]",
		Short: "Show what osm-edge's injector does to pods: the injected objects, or why not (--explain)",
		Long: `inject applies osm-edge 1.3.9's sidecar injection, exactly as meshguard's webhook
does, to the Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and
CronJobs in FILE (- for stdin), and prints them (-o yaml|json); other objects are
printed unchanged. With --explain it prints instead why each pod is or is not
injected, and what will be intercepted, with the MeshConfig field or annotation
each setting came from.

Namespaces: Namespace objects among the inputs and --namespace-labels describe
them; a namespace they do not describe is treated as monitored with injection
enabled, as istioctl kube-inject does. The MeshConfig is --mesh-config, else
osm-edge's install defaults.

The output is a preview. Each pod osm-edge injects gets its own osm-proxy-uuid
and bootstrap Secret, created at admission; the ids printed here are derived
from the object's name so the output is stable, and no Secret is created.
Apply the original manifests to a cluster running the webhook.

Exit codes: 0, 1 when osm-edge would reject a pod (an invalid annotation, no
sidecar image), 2 for usage errors and unreadable input.`,
		Example: `  meshguard inject -f deploy.yaml
  meshguard inject -f deploy.yaml --explain --mesh-config osm-mesh-config.yaml
  kubectl get deploy app -o yaml | meshguard inject -f - -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(files) == 0 {
				return usageErr("-f FILE is required (- reads stdin)")
			}
			if output != "yaml" && output != "json" {
				return usageErr("-o must be yaml or json, not %q", output)
			}
			labels, err := parseNamespaceLabels(namespaceLabels)
			if err != nil {
				return err
			}
			var docs []*source.Document
			for _, f := range files {
				ds, err := readDocs(f, s.in)
				if err != nil {
					return err
				}
				docs = append(docs, ds...)
			}
			engine, err := policies.New(cmd.Context())
			if err != nil {
				return err
			}
			mcObj := engine.DefaultMeshConfig()
			if meshConfig != "" {
				if mcObj, err = readMeshConfig("--mesh-config", meshConfig); err != nil {
					return err
				}
			}
			mc, err := inject.ParseMeshConfig(mcObj)
			if err != nil {
				return usageErr("--mesh-config %s: %v", meshConfig, err)
			}
			if err := checkInjectorLogLevel(injectorLogLevel); err != nil {
				return err
			}
			cfg := inject.Config{MeshConfig: mc, MeshName: meshName, Namespace: osmNamespace, InjectorLogLevel: injectorLogLevel}
			namespaces := map[string]*corev1.Namespace{}
			for ns, l := range labels {
				namespaces[ns] = &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: l}}
			}
			for _, d := range docs {
				if d.Kind() == "Namespace" && d.APIVersion() == "v1" {
					n := &corev1.Namespace{}
					b, _ := json.Marshal(d.Object)
					if err := json.Unmarshal(b, n); err == nil {
						namespaces[n.Name] = n
					}
				}
			}
			return runInject(s.out, s.err, docs, namespaces, cfg, output, explain)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&files, "filename", "f", nil, "manifest file, or - for stdin (repeatable)")
	f.StringVar(&meshConfig, "mesh-config", "", "MeshConfig manifest (default: osm-edge's install defaults)")
	f.StringArrayVar(&namespaceLabels, "namespace-labels", nil, "a namespace and its labels, NAMESPACE:key=value[,key=value] (repeatable)")
	f.StringVar(&meshName, "mesh-name", "osm", "mesh name, as in the openservicemesh.io/monitored-by label")
	f.StringVar(&osmNamespace, "osm-namespace", "osm-system", "osm-edge's control-plane namespace")
	f.StringVarP(&output, "output", "o", "yaml", "output format: yaml or json")
	injectorLogLevelFlag(f, &injectorLogLevel)
	f.BoolVar(&explain, "explain", false, "say why each pod is or is not injected and what is intercepted, instead of printing objects")
	return cmd
}

func readDocs(file string, stdin io.Reader) ([]*source.Document, error) {
	var raw []byte
	var err error
	if file == "-" {
		raw, err = source.ReadAll(stdin)
	} else {
		raw, err = source.ReadFile(file)
	}
	if err != nil {
		return nil, usageErr("read %s: %v", file, err)
	}
	var docs []*source.Document
	err = source.DecodeYAMLBytes(file, raw, 0, func(d *source.Document) error {
		if d.Object != nil && d.Object["kind"] != nil {
			docs = append(docs, d)
		}
		return nil
	})
	if err != nil {
		return nil, usageErr("%v", err)
	}
	return docs, nil
}

// stableID derives the preview's osm-proxy-uuid from the object, so the
// output does not change from run to run.
func stableID(kind, namespace, name string) string {
	return uuid.NewHash(sha1.New(), uuid.NameSpaceOID, []byte(kind+"/"+namespace+"/"+name), 5).String()
}

func runInject(out, errOut io.Writer, docs []*source.Document, namespaces map[string]*corev1.Namespace, cfg inject.Config, output string, explain bool) error {
	rejected := 0
	var objs []map[string]any
	for _, d := range docs {
		kind := d.Kind()
		if !inject.IsWorkload(kind) {
			if !explain {
				objs = append(objs, d.Object)
			}
			continue
		}
		what := strings.TrimSpace(fmt.Sprintf("%s:%d: %s %s", d.File, d.Line, kind, d.Name()))
		pod, err := inject.PodOf(d.Object)
		if err != nil {
			return &exitError{code: exitUsage, err: fmt.Errorf("%s: %v", what, err)}
		}
		ns, known := namespaces[pod.Namespace]
		if !known {
			ns = &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
				Name:        pod.Namespace,
				Labels:      map[string]string{inject.LabelMonitoredBy: cfg.MeshName},
				Annotations: map[string]string{inject.AnnotationInjection: "enabled"},
			}}
		}
		decision, err := inject.Decide(pod, ns, cfg.MeshName, cfg.Namespace)
		if !known && err == nil && !decision.Inject {
			decision.Detail += fmt.Sprintf(" (namespace %s was not described, so it is taken as monitored with injection enabled)", pod.Namespace)
		} else if !known && decision.Inject {
			decision.Detail = fmt.Sprintf("namespace %s was not described, so it is taken as monitored with injection enabled, as kube-inject does; the pod does not disable it", pod.Namespace)
		}
		var res *inject.Result
		if err == nil && decision.Inject {
			res, err = inject.Inject(pod, ns, cfg, stableID(kind, pod.Namespace, d.Name()))
		}
		if err != nil {
			rejected++
		}
		if explain {
			inject.Explain(out, what, decision, res, err)
			continue
		}
		if err != nil {
			fmt.Fprintf(errOut, "meshguard: %s: osm-edge would reject this pod: %v\n", what, err)
			objs = append(objs, d.Object)
			continue
		}
		if res == nil {
			objs = append(objs, d.Object)
			continue
		}
		injected, err := inject.WithPod(d.Object, res.Pod)
		if err != nil {
			return err
		}
		objs = append(objs, injected)
	}
	if !explain {
		if err := writeObjects(out, objs, output); err != nil {
			return err
		}
	}
	if rejected > 0 {
		return &exitError{code: exitFindings}
	}
	return nil
}

func writeObjects(out io.Writer, objs []map[string]any, output string) error {
	if output == "json" {
		var v any = map[string]any{"apiVersion": "v1", "kind": "List", "items": objs}
		if len(objs) == 1 {
			v = objs[0]
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	for i, o := range objs {
		b, err := yaml.Marshal(o)
		if err != nil {
			return err
		}
		if i > 0 {
			fmt.Fprintln(out, "---")
		}
		if _, err := out.Write(b); err != nil {
			return err
		}
	}
	return nil
}
