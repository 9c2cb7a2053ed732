package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// creates: N Egress creates through a real kube-apiserver, one after another
// (concurrency 1, as a person or a CI job applying manifests), with meshguard's
// validating webhook registered and without it (the ValidatingWebhookConfiguration
// deleted, then restored), in alternating rounds so that a machine that gets
// busier or quieter affects both alike. The objects are deleted between runs.
// Each create of the "with" runs must come back with meshguard's warning:
// the webhook's failurePolicy is Ignore, so a webhook that failed would
// otherwise pass unnoticed and flatter the figure.

var egressGVR = schema.GroupVersionResource{Group: "policy.openservicemesh.io", Version: "v1alpha1", Resource: "egresses"}

const benchLabel = "meshguard.io/bench"

// createsResult is one run; the JSON lines of -out hold these.
type createsResult struct {
	Webhook    bool    `json:"webhook"`
	Round      int     `json:"round"`
	Creates    int     `json:"creates"`
	Errors     int     `json:"errors"`
	FirstError string  `json:"firstError,omitempty"`
	Warned     int     `json:"warned"`
	Seconds    float64 `json:"seconds"`
	PerSecond  float64 `json:"perSecond"`
	P50        float64 `json:"p50ms"`
	P99        float64 `json:"p99ms"`
	Max        float64 `json:"maxms"`
	MeshguardS float64 `json:"meshguardCPUs,omitempty"`
	DeleteS    float64 `json:"deleteSeconds"`
}

type warningCounter struct{ n atomic.Int64 }

func (w *warningCounter) HandleWarningHeader(code int, agent, text string) {
	if code == 299 && strings.Contains(text, "[MG") {
		w.n.Add(1)
	}
}

func createsCmd(args []string) error {
	fs := flag.NewFlagSet("creates", flag.ExitOnError)
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig of the API server (loopback only)")
	namespace := fs.String("namespace", "curl", "a namespace meshguard's webhook selects")
	n := fs.Int("n", 1000, "Egress creates per run")
	rounds := fs.Int("rounds", 2, "rounds of (with webhook, without webhook)")
	vwcName := fs.String("webhook-config", "meshguard", "the ValidatingWebhookConfiguration to delete for the runs without")
	pid := fs.Int("meshguard-pid", 0, "meshguard's pid: report its CPU time per run")
	out := fs.String("out", "", "append one JSON line per run to this file")
	_ = fs.Parse(args)
	if *kubeconfig == "" {
		return errors.New("-kubeconfig is required")
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		return err
	}
	u, err := url.Parse(cfg.Host)
	if err != nil {
		return err
	}
	if err := loopbackOnly(u.Hostname()); err != nil {
		return err
	}
	// No client-side throttling: the API server's answers set the pace.
	cfg.QPS, cfg.Burst = 1e6, 1e6
	warnings := &warningCounter{}
	cfg.WarningHandler = warnings
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	var sink *os.File
	if *out != "" {
		if sink, err = os.OpenFile(*out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err != nil {
			return err
		}
		defer sink.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	eg := dyn.Resource(egressGVR).Namespace(*namespace)
	if err := deleteAll(ctx, eg); err != nil {
		return err
	}
	vwcs := kube.AdmissionregistrationV1().ValidatingWebhookConfigurations()
	saved, err := vwcs.Get(ctx, *vwcName, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("the webhook must be registered to start: %w", err)
	}
	if err := waitWebhook(ctx, eg, *namespace, true); err != nil {
		return err
	}
	run := func(round int, withWebhook bool) error {
		if !withWebhook {
			if err := vwcs.Delete(ctx, *vwcName, metav1.DeleteOptions{}); err != nil {
				return err
			}
			defer func() {
				restore := saved.DeepCopy()
				restore.ObjectMeta = metav1.ObjectMeta{Name: saved.Name, Labels: saved.Labels, Annotations: saved.Annotations}
				if _, err := vwcs.Create(context.Background(), restore, metav1.CreateOptions{}); err != nil {
					fmt.Fprintf(os.Stderr, "creates: could not restore the ValidatingWebhookConfiguration %s: %v\n", *vwcName, err)
				}
			}()
		}
		if err := waitWebhook(ctx, eg, *namespace, withWebhook); err != nil {
			return err
		}
		r := createsResult{Webhook: withWebhook, Round: round, Creates: *n}
		lat := make([]int64, 0, *n)
		cpu0 := procCPU(*pid)
		start := time.Now()
		for i := range *n {
			obj := egress(fmt.Sprintf("bench-%05d", i), *namespace)
			before := warnings.n.Load()
			t := time.Now()
			_, err := eg.Create(ctx, obj, metav1.CreateOptions{})
			lat = append(lat, int64(time.Since(t)))
			if err != nil {
				r.Errors++
				if r.FirstError == "" {
					r.FirstError = err.Error()
				}
			}
			if warnings.n.Load() > before {
				r.Warned++
			}
		}
		r.Seconds = time.Since(start).Seconds()
		r.PerSecond = float64(*n) / r.Seconds
		if *pid > 0 {
			r.MeshguardS = procCPU(*pid) - cpu0
		}
		sortInts(lat)
		r.P50, r.P99, r.Max = pct(lat, 0.5), pct(lat, 0.99), float64(lat[len(lat)-1])/1e6
		t := time.Now()
		if err := deleteAll(ctx, eg); err != nil {
			return err
		}
		r.DeleteS = time.Since(t).Seconds()
		fmt.Fprintf(os.Stderr, "creates round %d webhook=%v: %d creates in %.2f s (%.0f/s), p50 %.2f p99 %.2f max %.2f ms, %d errors, %d with meshguard warnings, meshguard CPU %.2f s\n",
			round, withWebhook, r.Creates, r.Seconds, r.PerSecond, r.P50, r.P99, r.Max, r.Errors, r.Warned, r.MeshguardS)
		// Reported, not fatal: the figures of a run that went wrong are the finding.
		if r.Errors > 0 {
			fmt.Fprintf(os.Stderr, "creates: %d creates failed, the first: %s\n", r.Errors, r.FirstError)
		}
		if withWebhook && r.Warned != r.Creates {
			fmt.Fprintf(os.Stderr, "creates: only %d of %d creates came back with meshguard's warning: the API server got no verdict for the others (failurePolicy Ignore)\n", r.Warned, r.Creates)
		}
		if !withWebhook && r.Warned != 0 {
			return fmt.Errorf("%d creates came back with meshguard's warning although its webhook was deleted", r.Warned)
		}
		if sink != nil {
			b, _ := json.Marshal(r)
			if _, err := sink.Write(append(b, '\n')); err != nil {
				return err
			}
		}
		return nil
	}
	for round := 1; round <= *rounds; round++ {
		if err := run(round, true); err != nil {
			return err
		}
		if err := run(round, false); err != nil {
			return err
		}
	}
	return waitWebhook(ctx, eg, *namespace, true)
}

// egress is a valid policy meshguard allows, with its MG3001 warning under
// osm-edge's default MeshConfig (egress passthrough on): as the fixture
// egress-passthrough-warning, one host per policy.
func egress(name, namespace string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "policy.openservicemesh.io/v1alpha1",
		"kind":       "Egress",
		"metadata": map[string]any{
			"name": name, "namespace": namespace,
			"labels": map[string]any{benchLabel: "true"},
		},
		"spec": map[string]any{
			"sources": []any{map[string]any{"kind": "ServiceAccount", "name": "curl", "namespace": namespace}},
			"hosts":   []any{name + ".example.com"},
			"ports":   []any{map[string]any{"number": int64(80), "protocol": "http"}},
		},
	}}
}

// deleteAll deletes the benchmark's Egress policies and waits until they are gone.
func deleteAll(ctx context.Context, eg dynamic.ResourceInterface) error {
	sel := metav1.ListOptions{LabelSelector: benchLabel}
	if err := eg.DeleteCollection(ctx, metav1.DeleteOptions{}, sel); err != nil {
		return fmt.Errorf("delete the benchmark's Egress policies: %w", err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		l, err := eg.List(ctx, sel)
		if err != nil {
			return err
		}
		if len(l.Items) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d Egress policies still there 2 minutes after their deletion", len(l.Items))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitWebhook waits until the API server calls meshguard (registered) or no
// longer does: a server-side dry run of a policy meshguard denies.
func waitWebhook(ctx context.Context, eg dynamic.ResourceInterface, namespace string, registered bool) error {
	probe := egress("meshguard-bench-probe", namespace)
	probe.Object["spec"].(map[string]any)["ports"] = []any{map[string]any{"number": int64(80), "protocol": "not-a-protocol"}}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := eg.Create(ctx, probe, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		denied := apierrors.IsForbidden(err) || (err != nil && strings.Contains(err.Error(), "denied the request"))
		if err != nil && !denied {
			return fmt.Errorf("dry-run probe: %w", err)
		}
		if denied == registered {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the API server still %s meshguard after 30 s", map[bool]string{true: "does not call", false: "calls"}[registered])
		}
		time.Sleep(100 * time.Millisecond)
	}
}
