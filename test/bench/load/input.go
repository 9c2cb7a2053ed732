package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"
	"sigs.k8s.io/yaml"

	"github.com/meshguard/meshguard/policies"
	"github.com/meshguard/meshguard/webhook"
)

// input: the body an OPA server needs to judge an AdmissionReview as meshguard
// does. meshguard's engine adds Go-computed facts (the CRD schema check) and
// the prepared cluster view to the input before it evaluates the rules, so a
// stock OPA given only the AdmissionReview would evaluate something else.
// This builds the engine's input document for the request, with the cluster
// view built from the given objects as the webhook's cache builds it
// (webhook.ClusterInventory), and writes {"input": <document>}: POSTed to
// /v1/data/meshguard/main/findings of an OPA that loaded rego/, it evaluates
// exactly what meshguard evaluates.
func inputCmd(args []string) error {
	fs := flag.NewFlagSet("input", flag.ExitOnError)
	request := fs.String("request", "", "AdmissionReview JSON file (webhook/testdata/admission/*/request.json)")
	objects := fs.String("cluster", "", "the cluster's objects: a kubectl List (get -o json or yaml) or multi-document YAML")
	namespace := fs.String("namespace", "osm-system", "osm-edge's control-plane namespace")
	meshConfig := fs.String("mesh-config-name", "osm-mesh-config", "the mesh's MeshConfig")
	out := fs.String("out", "", "where to write the body (default stdout)")
	_ = fs.Parse(args)
	if *request == "" || *objects == "" {
		return errors.New("-request and -cluster are required")
	}
	ctx := context.Background()
	e, err := policies.New(ctx)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(*request)
	if err != nil {
		return err
	}
	var ar admissionv1.AdmissionReview
	if err := json.Unmarshal(raw, &ar); err != nil || ar.Request == nil {
		return fmt.Errorf("%s is not an AdmissionReview with a request: %v", *request, err)
	}
	in, err := webhook.Input(*ar.Request)
	if err != nil {
		return err
	}
	objs, err := readObjects(*objects)
	if err != nil {
		return err
	}
	inv := inventory(e, objs, *namespace, *meshConfig)
	if err := e.PrepareInventory(ctx, inv); err != nil {
		return err
	}
	in.Inventory = *inv
	doc, err := e.InputDocument(in)
	if err != nil {
		return err
	}
	body, err := json.Marshal(map[string]any{"input": doc})
	if err != nil {
		return err
	}
	findings, err := e.Evaluate(ctx, in)
	if err != nil {
		return err
	}
	var codes []string
	for _, f := range findings {
		codes = append(codes, f.Rule)
	}
	sort.Strings(codes)
	fmt.Fprintf(os.Stderr, "input: %d bytes; %d objects in the cluster view (%d egresses, %d namespaces, %d upstream traffic settings); meshguard finds: %s\n",
		len(body), len(objs), len(inv.Egresses), len(inv.Namespaces), len(inv.UpstreamTrafficSettings), strings.Join(codes, " "))
	if *out == "" {
		_, err = os.Stdout.Write(append(body, '\n'))
		return err
	}
	return os.WriteFile(*out, append(body, '\n'), 0o644)
}

// readObjects reads a kubectl List or multi-document YAML.
func readObjects(path string) ([]map[string]any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var objs []map[string]any
	for _, doc := range bytes.Split(raw, []byte("\n---")) {
		var m map[string]any
		if err := yaml.Unmarshal(doc, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if m == nil {
			continue
		}
		if items, ok := m["items"].([]any); ok && strings.HasSuffix(fmt.Sprint(m["kind"]), "List") {
			for _, it := range items {
				if o, ok := it.(map[string]any); ok {
					objs = append(objs, o)
				}
			}
			continue
		}
		objs = append(objs, m)
	}
	for _, o := range objs {
		// As meshguard's cache (cache.TransformStripManagedFields).
		if meta, ok := o["metadata"].(map[string]any); ok {
			delete(meta, "managedFields")
		}
	}
	return objs, nil
}

// inventory is the cluster view webhook.ClusterInventory builds from these
// objects: every watched kind known (empty, not unknown, when there is none)
// and the mesh's MeshConfig, else osm-edge's install defaults.
func inventory(e *policies.Engine, objs []map[string]any, namespace, meshConfig string) *policies.Inventory {
	inv := &policies.Inventory{
		Egresses:                []map[string]any{},
		Namespaces:              []map[string]any{},
		UpstreamTrafficSettings: []map[string]any{},
	}
	for _, o := range objs {
		meta, _ := o["metadata"].(map[string]any)
		apiVersion, _ := o["apiVersion"].(string)
		group, _, _ := strings.Cut(apiVersion, "/")
		if !strings.Contains(apiVersion, "/") {
			group = ""
		}
		switch kind, _ := o["kind"].(string); {
		case kind == "Egress" && group == webhook.EgressGVK.Group:
			inv.Egresses = append(inv.Egresses, o)
		case kind == "UpstreamTrafficSetting" && group == webhook.UpstreamTrafficSettingGVK.Group:
			inv.UpstreamTrafficSettings = append(inv.UpstreamTrafficSettings, o)
		case kind == "Namespace" && group == "":
			inv.Namespaces = append(inv.Namespaces, o)
		case kind == "MeshConfig" && group == webhook.MeshConfigGVK.Group:
			if meta["namespace"] == namespace && meta["name"] == meshConfig {
				inv.MeshConfig = o
			}
		}
	}
	if inv.MeshConfig == nil {
		inv.MeshConfig = e.DefaultMeshConfig()
	}
	return inv
}
