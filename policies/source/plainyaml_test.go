package source

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"go.yaml.in/yaml/v3"
)

// yamlV3Roots is what yaml.v3 makes of content: the root of each non-empty
// document, or its error.
func yamlV3Roots(content []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(content))
	var roots []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return roots, nil
		}
		if err != nil {
			return nil, err
		}
		if len(n.Content) == 0 || n.Content[0].Kind == yaml.ScalarNode && n.Content[0].Tag == "!!null" {
			continue
		}
		roots = append(roots, n.Content[0])
	}
}

// diffNodes describes the first difference between two trees in what
// meshguard reads of a node ("" when there is none).
func diffNodes(a, b *yaml.Node, at string) string {
	if a.Kind != b.Kind || a.Style != b.Style || a.Tag != b.Tag || a.Value != b.Value || a.Line != b.Line || a.Column != b.Column || len(a.Content) != len(b.Content) {
		return fmt.Sprintf("%s: plain {kind %d style %d tag %s value %q at %d:%d, %d children}, yaml.v3 {kind %d style %d tag %s value %q at %d:%d, %d children}",
			at, a.Kind, a.Style, a.Tag, a.Value, a.Line, a.Column, len(a.Content), b.Kind, b.Style, b.Tag, b.Value, b.Line, b.Column, len(b.Content))
	}
	for i := range a.Content {
		if d := diffNodes(a.Content[i], b.Content[i], fmt.Sprintf("%s/%d", at, i)); d != "" {
			return d
		}
	}
	return ""
}

// checkPlain fails t when the plain parser accepts content and its trees
// differ from yaml.v3's, or yaml.v3 refuses what it accepted.
func checkPlain(t *testing.T, name string, content []byte) bool {
	t.Helper()
	plain, ok := plainDocuments(content)
	if !ok {
		return false
	}
	want, err := yamlV3Roots(content)
	if err != nil {
		t.Errorf("%s: the plain parser accepts what yaml.v3 refuses (%v):\n%s", name, err, content)
		return true
	}
	if len(plain) != len(want) {
		t.Errorf("%s: %d documents, yaml.v3 %d:\n%s", name, len(plain), len(want), content)
		return true
	}
	for i := range plain {
		if d := diffNodes(plain[i], want[i], fmt.Sprintf("document %d", i+1)); d != "" {
			t.Errorf("%s: %s\n%s", name, d, content)
		}
	}
	return true
}

// plainCases are small documents at the edges of the plain subset, each
// either parsed alike by both or left to yaml.v3.
var plainCases = []string{
	"a: b\n",
	"a: b",
	"---\na: 1\n---\nb: 2\n",
	"--- # first\na: 1\n...\n",
	"---\n---\na: 1\n---\n",
	"# only a comment\n",
	"",
	"a:\n  b: c\n  d:\n  - e\n  - f: g\n    h: i\n  - [j, k]\nl: m\n",
	"a:\n- 1\n- 2\nb: 3\n",
	"a: [1, 2, {b: c, d: [e]}]\n",
	"a: []\nb: {}\nc: [ ]\nd: { }\n",
	"a: [b,c]\n",
	"a: [b, ]\n",
	"a: {b: c, b: d}\n",
	"a: 1\na: 2\n",
	"a: 'x'\nb: \"y\"\nc: 'it''s'\nd: \"a\\tb\"\n",
	"'a': 1\n\"b\": 2\n",
	"a: 'x' # c\nb: \"y\"#c\n",
	"a: b # comment\nc: d#e\n",
	"a:    spaced   \n",
	"a: two words\nb: two  spaces\n",
	"a: b: c\n",
	"a: b:\n",
	"a:b\n",
	"a: image:tag\nb: http://x.io/y\n",
	"a:\n",
	"a:",
	"a:   \nb: 1\n",
	"a: # c\nb: 1\n",
	"x:\n  a:\n  b: 1\n",
	"- a:\n  b: 1\n",
	"a:\n- b:\n  c:\n",
	"a:\nb: 1\n",
	"a: # nothing\n  b: 1\n",
	"a: b\n  c\n",
	"- a\n- b\n",
	"a: 1\n  b: 2\n",
	"a:\n    b: 1\n  c: 2\n",
	"  a: 1\n  b: 2\n",
	"  a: 1\nb: 2\n",
	"a:\n  - b\n    c\n",
	"a:\n-\n  b: 1\n",
	"a:\n- - b\n",
	"a: -1\nb: +1\nc: .5\nd: ~\n",
	"a: true\nb: False\nc: NULL\nd: yes\ne: on\nf: tRUE\n",
	"a: 0\nb: 00\nc: 007\nd: 08\ne: 9223372036854775808\nf: 1_000\n",
	"a: 0x1F\nb: 0o17\nc: 0b101\nd: 0b\ne: 0f\nf: 1f\n",
	"a: 1e3\nb: 5E3\nc: 3e\nd: 1.5\ne: 1.\nf: 1.2.3\n",
	"a: 10.0.0.0/8\nb: 1.2.3.4\nc: 1/2\nd: 1-2\ne: 2001-12-14\n",
	"a: 24h\nb: 100Mi\nc: 1.5s\nd: 12h30m\ne: 1d\n",
	"a: .inf\nb: NaN\nc: Infinity\nd: e5\n",
	"a: &x 1\nb: *x\n",
	"a: !!str 1\n",
	"a: |\n  text\n",
	"a: >\n  text\n",
	"? a\n: b\n",
	"<<: {a: 1}\n",
	"%YAML 1.2\n---\na: 1\n",
	"a: [b,\n  c]\n",
	"a: {b: c\n",
	"a: [b]: c\n",
	"- [a]: b\n",
	"a: 'unterminated\n",
	"a:\tb\n",
	"a: b\r\nc: d\r\n",
	"a: é\n",
	"---a: 1\n",
	"--- a: 1\n",
	"----\n",
	"[a, b]\n",
	"plain\n",
	"a: {\"b\": \"c\"}\na2: {\"b\":\"c\"}\n",
	"a: [\"x\", 'y']\n",
	"a: [b: c]\n",
	"a: {b: }\n",
	"80: http\n",
	"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a}\n",
	"a:\n  -   b: 1\n      c: 2\n  -   d\n",
	"a: [[[[1]]]]\n",
	strings.Repeat("a: ", 1) + strings.Repeat("[", 70) + strings.Repeat("]", 70) + "\n",
	strings.Repeat("k", 1100) + ": v\n",
}

// plainScalars are scalars of every kind, each tried as a key and as a
// value, in block and in flow context.
var plainScalars = []string{
	"b", "two words", "two  spaces", "image:tag", "http://x.io/y", "b:", "b:c", "d#e", "a-b_c.d/e",
	"-1", "+1", ".5", "~", "-", "true", "False", "NULL", "null", "Null", "yes", "on", "y", "n", "off", "tRUE", "nULL",
	"0", "00", "007", "08", "1", "42", "9223372036854775807", "9223372036854775808", "20000000000000000000", "1_000",
	"0x1F", "0X1F", "0o17", "0b101", "0b", "0x", "0f", "1f", "0B1",
	"1e3", "5E3", "3e", "1.5", "1.", "1.2.3", "0e5", "1.5e3h",
	"10.0.0.0/8", "1.2.3.4", "1/2", "1-2", "2001-12-14", "12:30", "1:20",
	"24h", "100Mi", "1.5s", "12h30m", "1d", "123abc", "1x", "5ei",
	".inf", ".NaN", "NaN", "Infinity", "inf", "e5",
	"/data", "/", "//x", "/a b", "/a:b", "/1", "--flag", "--flag=x", "--port=80", "--", "---", "--1", "-a", "- a", "a=b", "=", "=a",
	"GO111MODULE=on", "x@sha256:abc", "@x", "a@", "--a b", "--a=b c",
	"'x'", "\"y\"", "'it''s'", "\"a\\tb\"", "''", "\"\"", "'a # b'", "\"a: b\"",
}

// TestPlainYAMLAgrees holds the plain parser to yaml.v3 on the cases above
// and on every YAML file of the repository, and checks that it does take
// the usual manifest, so that the fast path does not quietly stop working.
func TestPlainYAMLAgrees(t *testing.T) {
	for i, c := range plainCases {
		checkPlain(t, fmt.Sprintf("case %d", i), []byte(c))
	}
	for _, v := range plainScalars {
		for _, doc := range []string{"a: %s\n", "a: %s # c\n", "a: %s#c\n", "%s: 1\n", "a:\n- %s\n- x\n", "a: [%s]\n", "a: [x, %s, y]\n", "a: {%s: 1}\n", "a: {k: %s}\n", "a: [{k: %s}]\n"} {
			checkPlain(t, fmt.Sprintf("%q in %q", v, doc), fmt.Appendf(nil, doc, v))
		}
	}
	taken, total := 0, 0
	err := filepath.WalkDir(filepath.Join("..", ".."), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if ext := filepath.Ext(p); d.IsDir() || (ext != ".yaml" && ext != ".yml" && ext != ".json") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		total++
		if checkPlain(t, p, b) {
			taken++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the plain parser takes %d of the repository's %d YAML and JSON files", taken, total)
	for _, must := range []string{
		"apiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata:\n  name: httpbin-80 # the port\n  namespace: curl\nspec:\n  sources:\n  - kind: ServiceAccount\n    name: curl\n    namespace: curl\n  hosts:\n  - httpbin.org\n  ports:\n  - number: 80\n    protocol: http\n",
		"apiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: mysql, namespace: app}\nspec:\n  sources: [{kind: ServiceAccount, name: app, namespace: app}]\n  ipAddresses: [10.0.0.0/24, 192.168.1.7/32]\n  ports: [{number: 3306, protocol: tcp}]\n",
		"---\napiVersion: config.openservicemesh.io/v1alpha2\nkind: MeshConfig\nmetadata:\n  name: osm-mesh-config\n  namespace: osm-system\nspec:\n  sidecar:\n    logLevel: error\n    sidecarImage: flomesh/pipy:1.5.5\n  traffic:\n    enableEgress: false\n  certificate:\n    serviceCertValidityDuration: 24h\n",
	} {
		if !checkPlain(t, "manifest", []byte(must)) {
			t.Errorf("the plain parser leaves a usual manifest to yaml.v3:\n%s", must)
		}
	}
}

// FuzzPlainYAML: whatever the plain parser accepts, yaml.v3 reads the same.
func FuzzPlainYAML(f *testing.F) {
	seeds(f, "*.yaml")
	for _, c := range plainCases {
		f.Add([]byte(c))
	}
	for _, v := range plainScalars {
		f.Add(fmt.Appendf(nil, "a: %s\nb: [%s, {%s: x}]\n", v, v, v))
	}
	for _, s := range plainSeeds(200) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkPlain(t, "input", b)
	})
}

const benchManifest = `apiVersion: policy.openservicemesh.io/v1alpha1
kind: Egress
metadata:
  name: http-4381
  namespace: team-01
  labels:
    app.kubernetes.io/part-of: web
spec:
  sources:
  - kind: ServiceAccount
    name: web
    namespace: team-01
  hosts:
  - svc4381-0.googleapis.com
  - svc4381-1.example.org
  ports:
  - number: 8080
    protocol: http
`

// BenchmarkDecodeYAML decodes a usual Egress manifest through the plain
// parser and, for comparison, through yaml.v3 alone.
//
//	go test ./policies/source -run '^$' -bench DecodeYAML -benchmem
func BenchmarkDecodeYAML(b *testing.B) {
	content := []byte(benchManifest)
	if _, ok := plainDocuments(content); !ok {
		b.Fatal("the plain parser does not take the manifest")
	}
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := DecodeYAMLBytes("f.yaml", content, 0, func(*Document) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("yaml.v3", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			roots, err := yamlV3Roots(content)
			if err != nil {
				b.Fatal(err)
			}
			index := 0
			if err := emitRoot("f.yaml", roots[0], &index, 0, func(*Document) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestPlainYAMLCopiesValues: no node refers to the text parsed, so a value
// kept after the run moves on (a name in the cluster view or a finding)
// does not keep its whole file in memory.
func TestPlainYAMLCopiesValues(t *testing.T) {
	text := strings.Repeat("a: b\nc: [d, {e: 'f'}]\n\"g\": h\n---\n", 3)
	roots, ok := plainParse(text)
	if !ok || len(roots) != 3 {
		t.Fatalf("not parsed: %v %d", ok, len(roots))
	}
	start := uintptr(unsafe.Pointer(unsafe.StringData(text)))
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Value != "" {
			if p := uintptr(unsafe.Pointer(unsafe.StringData(n.Value))); p >= start && p < start+uintptr(len(text)) {
				t.Errorf("%q at %d:%d refers to the parsed text", n.Value, n.Line, n.Column)
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	for _, r := range roots {
		walk(r)
	}
}
