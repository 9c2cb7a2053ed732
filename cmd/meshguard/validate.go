package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/meshguard/meshguard/policies"
	"github.com/meshguard/meshguard/policies/check"
	"github.com/meshguard/meshguard/policies/report"
	"github.com/meshguard/meshguard/policies/source"
)

// validateFlags are shared by validate and validate patch.
type validateFlags struct {
	output          string
	disable         []string
	meshConfig      string
	namespaceLabels []string
	meshName        string
	color           string
}

func (f *validateFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "text", "output format: text, json, sarif or junit")
	fl.StringSliceVar(&f.disable, "disable", nil, "rule codes to turn off, comma-separated (MG2004,MG3001)")
	fl.StringVar(&f.meshConfig, "mesh-config", "", "manifest holding the MeshConfig osm-mesh-config the cross-resource rules judge against (default: one among the inputs, else osm-edge's install defaults)")
	fl.StringArrayVar(&f.namespaceLabels, "namespace-labels", nil, "a namespace and its labels, NAMESPACE:key=value[,key=value] (repeatable); tells the monitored-namespace rule which namespaces osm-edge watches")
	fl.StringVar(&f.meshName, "mesh-name", "osm", `mesh name: a namespace is monitored when labelled openservicemesh.io/monitored-by=<mesh name> ("" accepts any mesh)`)
	fl.StringVar(&f.color, "color", "auto", "colour text output: auto (only on a terminal), always or never")
}

func newValidateCommand(s streams) *cobra.Command {
	var f validateFlags
	cmd := &cobra.Command{
		Use:   "validate [PATH]... [-- kubectl COMMAND...]",
		Short: "Check manifests, scripts, runbooks and kubectl commands offline",
		Long: `Check MeshConfig, Egress and UpstreamTrafficSetting objects with the rules the
admission webhook enforces.

PATH is a file, a directory (walked for *.yaml, *.yml, *.json, *.sh and *.md)
or - for standard input. In shell scripts and Markdown runbooks every kubectl
patch, apply, create and replace of these kinds is checked at its line, as is
every YAML code block holding one. A kubectl command can also be pasted after --.
Helm chart templates are skipped, and reported so: check what a chart renders
with helm template CHART | meshguard validate -.

Exit codes: 0 no deny-level finding, 1 one or more, 2 usage error or an input
that cannot be read or parsed.`,
		Example: `  meshguard validate manifests/ runbooks/egress.md
  meshguard validate -o sarif . > meshguard.sarif
  meshguard validate -- kubectl patch meshconfig osm-mesh-config -n osm-system --type=merge -p '{"spec":{"traffic":{"enableEngress":false}}}'
  meshguard validate patch meshconfig osm-mesh-config --type merge -p '{"spec":{"traffic":{"enableEgress":false}}}'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := check.Options{Stdin: s.in}
			if dash := cmd.ArgsLenAtDash(); dash >= 0 {
				opts.Paths, opts.Command = args[:dash], args[dash:]
				if len(opts.Command) == 0 || opts.Command[0] != "kubectl" {
					return usageErr("after -- give a kubectl command, e.g. -- kubectl patch meshconfig osm-mesh-config ...")
				}
			} else {
				opts.Paths = args
			}
			if len(opts.Paths) == 0 && len(opts.Command) == 0 {
				return usageErr("nothing to validate: give files, directories, - for standard input, or a kubectl command after --")
			}
			return f.run(cmd, s, opts)
		},
	}
	f.register(cmd)
	cmd.AddCommand(newValidatePatchCommand(s))
	return cmd
}

func newValidatePatchCommand(s streams) *cobra.Command {
	var (
		f                                            validateFlags
		patch, patchFile, patchType, base, namespace string
	)
	cmd := &cobra.Command{
		Use:   "patch KIND [NAME] (-p PATCH | --patch-file FILE) [--type strategic|merge|json] [--base FILE]",
		Short: "Check a kubectl patch before you run it",
		Long: `Apply a patch as kubectl patch would, then check the result. KIND is meshconfig,
egress or upstreamtrafficsetting (singular, plural or kind.group). Without
--base, a MeshConfig patch applies to osm-edge 1.3.9's install-default
MeshConfig; other kinds need their stored manifest as --base. As with kubectl,
--type defaults to strategic, which the API server rejects for these kinds.`,
		Example: `  meshguard validate patch meshconfig osm-mesh-config --type merge -p '{"spec":{"traffic":{"enableEngress":false}}}'
  meshguard validate patch egress httpbin -n curl --base egress.yaml --type json -p '[{"op":"add","path":"/spec/hosts/-","value":"example.com"}]'`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, name := args[0], ""
			k, n, ok, err := source.SplitResourceName(kind)
			if err != nil {
				// kubectl refuses meshconfig/osm-mesh-config/x and meshconfig/
				// alike, so they name no object here either.
				return usageErr("%q: %v", kind, err)
			}
			if ok {
				kind, name = k, n
			}
			if len(args) == 2 {
				if name != "" {
					return usageErr("give the object as KIND NAME or KIND/NAME, not both")
				}
				name = args[1]
			}
			r, ok := source.LookupResource(kind)
			if other, version, unserved := source.UnservedVersion(kind); !ok && unserved {
				return usageErr("%q: the API server does not serve %s in version %s (it serves %s)", kind, other.Kind, version, strings.Join(other.Versions(), ", "))
			}
			if !ok {
				return usageErr("unknown kind %q: meshguard checks patches of %s", kind, source.ResourceNames())
			}
			if (patch == "") == (patchFile == "") {
				return usageErr("give the patch with exactly one of -p PATCH or --patch-file FILE")
			}
			body := []byte(patch)
			if patchFile != "" {
				b, err := os.ReadFile(patchFile)
				if err != nil {
					return usageErr("read --patch-file: %v", err)
				}
				body = b
			}
			p := &check.Patch{Resource: r, Name: name, Namespace: namespace, Type: patchType, Body: body}
			if base != "" {
				obj, err := readBase(base, r, name, namespace)
				if err != nil {
					return err
				}
				p.Base = obj
				if p.Name == "" {
					p.Name = (&source.Document{Object: obj}).Name()
				}
			}
			if p.Name == "" {
				if r.Kind != "MeshConfig" {
					return usageErr("name the %s to patch: meshguard validate patch %s NAME", r.Kind, kind)
				}
				p.Name = "osm-mesh-config"
			}
			if p.Namespace == "" && r.Kind == "MeshConfig" {
				p.Namespace = "osm-system"
			}
			switch patchType {
			case "strategic", "merge", "json":
			default:
				return usageErr("--type must be json, merge or strategic, not %q", patchType)
			}
			if p.Base == nil && r.Kind != "MeshConfig" {
				return usageErr("patching a %s needs its stored manifest: pass it with --base FILE", r.Kind)
			}
			return f.run(cmd, s, check.Options{Patch: p})
		},
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&patch, "patch", "p", "", "the patch, JSON or YAML, as given to kubectl patch")
	fl.StringVar(&patchFile, "patch-file", "", "read the patch from a file")
	fl.StringVar(&patchType, "type", "strategic", "patch type, as kubectl's: strategic, merge or json")
	fl.StringVar(&base, "base", "", "the object as stored (a manifest); default for a MeshConfig: osm-edge's install defaults")
	fl.StringVarP(&namespace, "namespace", "n", "", "the object's namespace (default osm-system for a MeshConfig)")
	return cmd
}

// fileObject is one object of a manifest file a flag names.
type fileObject struct {
	kind, namespace, name string
	obj                   map[string]any
}

// String is the object as messages name it: Kind namespace/name.
func (o fileObject) String() string {
	if o.namespace == "" {
		return o.kind + " " + o.name
	}
	return o.kind + " " + o.namespace + "/" + o.name
}

// readObjects reads every object of file, which the flag named; errors
// name the flag.
func readObjects(flag, file string) ([]fileObject, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, usageErr("read %s: %v", flag, err)
	}
	var objs []fileObject
	err = source.DecodeYAMLBytes(file, raw, 0, func(d *source.Document) error {
		objs = append(objs, fileObject{kind: d.Kind(), namespace: d.Namespace(), name: d.Name(), obj: d.Object})
		return nil
	})
	if err != nil {
		return nil, usageErr("%s %v", flag, err)
	}
	return objs, nil
}

// listObjects names objs for a message, the first few of a long list.
func listObjects(objs []fileObject) string {
	const most = 8
	var names []string
	for i, o := range objs {
		if i == most {
			names = append(names, fmt.Sprintf("and %d more", len(objs)-most))
			break
		}
		names = append(names, o.String())
	}
	return strings.Join(names, ", ")
}

// readBase picks from the --base file the object kubectl patch would change:
// kind r, named name (any name when empty) in namespace. With -n (namespace
// not empty) an object of that namespace, else one that names none (kubectl
// apply -n would put it there). Without -n kubectl uses the kubeconfig's
// namespace, which meshguard cannot know, so the object must be the only one
// of its kind and name; several are a usage error that names them.
func readBase(file string, r source.Resource, name, namespace string) (map[string]any, error) {
	objs, err := readObjects("--base", file)
	if err != nil {
		return nil, err
	}
	var ofKind, named, exact, unplaced []fileObject
	for _, o := range objs {
		if o.kind != r.Kind {
			continue
		}
		ofKind = append(ofKind, o)
		if name != "" && o.name != name {
			continue
		}
		named = append(named, o)
		switch o.namespace {
		case namespace:
			exact = append(exact, o)
		case "":
			unplaced = append(unplaced, o)
		}
	}
	what := r.Kind
	if name != "" {
		what += " " + name
	}
	found := named
	if namespace != "" {
		found = exact
		if len(found) == 0 {
			found = unplaced
		}
		what += " in namespace " + namespace
	}
	switch {
	case len(found) == 1:
		return found[0].obj, nil
	case len(found) > 1 && name == "" && r.Kind == "MeshConfig":
		// KIND alone names osm-mesh-config, as it does without --base.
		for _, o := range found {
			if o.name == "osm-mesh-config" {
				return o.obj, nil
			}
		}
		return nil, usageErr("--base %s holds %d MeshConfigs, none named osm-mesh-config (%s): name the one to patch", file, len(found), listObjects(found))
	case len(found) > 1 && namespace == "":
		return nil, usageErr("--base %s holds %d objects that match %s (%s): give the namespace with -n", file, len(found), what, listObjects(found))
	case len(found) > 1:
		return nil, usageErr("--base %s holds %d objects that match %s (%s): name the one to patch", file, len(found), what, listObjects(found))
	case len(ofKind) > 0:
		return nil, usageErr("--base %s holds no %s; it holds %s", file, what, listObjects(ofKind))
	case len(objs) > 0:
		return nil, usageErr("--base %s holds no %s; it holds %s", file, what, listObjects(objs))
	}
	return nil, usageErr("--base %s holds no %s; it holds no objects", file, what)
}

// readMeshConfig reads the MeshConfig osm-edge would read from the file flag
// names: the one named osm-mesh-config. One of another name governs nothing
// (osm-edge never reads it), so judging against it would judge against no
// mesh at all; a file that holds only such MeshConfigs is a usage error that
// names them.
func readMeshConfig(flag, file string) (map[string]any, error) {
	objs, err := readObjects(flag, file)
	if err != nil {
		return nil, err
	}
	var all, named []fileObject
	for _, o := range objs {
		if o.kind != "MeshConfig" {
			continue
		}
		all = append(all, o)
		if o.name == "osm-mesh-config" {
			named = append(named, o)
		}
	}
	switch {
	case len(named) == 1:
		return named[0].obj, nil
	case len(named) > 1:
		return nil, usageErr("%s %s holds %d MeshConfigs named osm-mesh-config (%s): keep the one of the mesh's namespace", flag, file, len(named), listObjects(named))
	case len(all) > 0:
		return nil, usageErr("%s %s holds %s but none named osm-mesh-config: osm-edge reads only osm-mesh-config, so a MeshConfig of another name governs nothing", flag, file, listObjects(all))
	case len(objs) > 0:
		return nil, usageErr("%s %s holds no MeshConfig; it holds %s", flag, file, listObjects(objs))
	}
	return nil, usageErr("%s %s holds no MeshConfig; it holds no objects", flag, file)
}

func (f *validateFlags) run(cmd *cobra.Command, s streams, opts check.Options) error {
	valid := false
	for _, name := range report.Formats {
		valid = valid || f.output == name
	}
	if !valid {
		return usageErr("unknown output format %q (want text, json, sarif or junit)", f.output)
	}
	color := false
	switch f.color {
	case "always":
		color = true
	case "never":
	case "auto":
		color = isTerminal(s.out) && os.Getenv("NO_COLOR") == "" && f.output == "text"
	default:
		return usageErr("--color must be auto, always or never, not %q", f.color)
	}
	labels, err := parseNamespaceLabels(f.namespaceLabels)
	if err != nil {
		return err
	}
	opts.NamespaceLabels = labels
	opts.MeshName = f.meshName
	engine, err := policies.New(cmd.Context(), policies.WithDisabled(f.disable...))
	if err != nil {
		if strings.Contains(err.Error(), "unknown rule code") {
			return usageErr("--disable: %v", err)
		}
		return err
	}
	if f.meshConfig != "" {
		mc, err := readMeshConfig("--mesh-config", f.meshConfig)
		if err != nil {
			return err
		}
		opts.MeshConfig = mc
	}
	defer watchdog(cmd.Context(), s.err)()
	res, err := runBatch(func() (report.Result, error) { return check.Run(cmd.Context(), engine, opts) })
	if err != nil {
		return err
	}
	if err := report.Write(s.out, f.output, res, report.Options{Color: color, Catalog: engine.Catalog(), Version: version}); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	// Input errors go to stderr too, so they are seen whatever the format.
	if f.output != "text" {
		for _, e := range res.Errors {
			fmt.Fprintf(s.err, "meshguard: %s\n", location(e.File, e.Line, e.Message))
		}
	}
	switch {
	case len(res.Errors) > 0:
		return &exitError{code: exitUsage}
	case res.Summary.Deny > 0:
		return &exitError{code: exitFindings}
	}
	return nil
}

func location(file string, line int, msg string) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d: %s", file, line, msg)
	}
	return fmt.Sprintf("%s: %s", file, msg)
}

// parseNamespaceLabels reads NAMESPACE:key=value[,key=value] flags.
func parseNamespaceLabels(flags []string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, f := range flags {
		ns, rest, ok := strings.Cut(f, ":")
		if !ok || ns == "" {
			return nil, usageErr("--namespace-labels %q: want NAMESPACE:key=value[,key=value], e.g. curl:openservicemesh.io/monitored-by=osm", f)
		}
		labels := out[ns]
		if labels == nil {
			labels = map[string]string{}
			out[ns] = labels
		}
		for _, kv := range strings.Split(rest, ",") {
			if kv == "" {
				continue
			}
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return nil, usageErr("--namespace-labels %q: label %q is not key=value", f, kv)
			}
			labels[k] = v
		}
	}
	return out, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// watchdog ends the process soon after ctx is cancelled (Ctrl-C, SIGTERM)
// if the run has not returned by then: a read blocked in the kernel (a
// named pipe no one writes to) never looks at ctx. It returns what stops it.
func watchdog(ctx context.Context, errOut io.Writer) (stop func()) {
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
			return
		case <-ctx.Done():
		}
		select {
		case <-done:
		case <-time.After(time.Second):
			fmt.Fprintln(errOut, "meshguard: interrupted")
			exit(exitSignalled())
		}
	}()
	return func() { close(done) }
}

// exit ends the process (tests replace it).
var exit = os.Exit

// runBatch runs a batch job under batchGC, restoring the collector's settings
// however it ends.
func runBatch(job func() (report.Result, error)) (report.Result, error) {
	defer batchGC()()
	return job()
}
