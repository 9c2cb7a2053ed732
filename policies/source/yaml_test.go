package source

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
)

func decodeAll(t *testing.T, src string) []*Document {
	t.Helper()
	var docs []*Document
	if err := DecodeYAML("f.yaml", strings.NewReader(src), 0, func(d *Document) error { docs = append(docs, d); return nil }); err != nil {
		t.Fatal(err)
	}
	return docs
}

func TestDecodeYAMLValuesAsKubectlSendsThem(t *testing.T) {
	d := decodeAll(t, `
kind: X
a: off
b: "off"
c: !!str off
d: yes
e: 42
f: 1.5
g: 2.0
h: ~
i: [1, two]
j: 0x1F
k: 1e3
`)[0].Object
	want := map[string]any{
		"kind": "X", "a": false, "b": "off", "c": "off", "d": true, "e": int64(42), "f": 1.5,
		"g": int64(2), "h": nil, "i": []any{int64(1), "two"}, "j": int64(31), "k": int64(1000),
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("got  %#v\nwant %#v", d, want)
	}
}

func TestDecodeYAMLAnchorsAndMergeKeys(t *testing.T) {
	d := decodeAll(t, `
base: &b {x: 1, y: 2}
obj:
  <<: *b
  y: 3
ref: *b
`)[0].Object
	if got := d["obj"]; !reflect.DeepEqual(got, map[string]any{"x": int64(1), "y": int64(3)}) {
		t.Errorf("merge: got %v", got)
	}
	if got := d["ref"]; !reflect.DeepEqual(got, map[string]any{"x": int64(1), "y": int64(2)}) {
		t.Errorf("alias: got %v", got)
	}
}

func TestDecodeYAMLErrorsNameTheLine(t *testing.T) {
	cases := []struct {
		name, src string
		line      int
		text      string
	}{
		{"duplicate key", "a: 1\nb: 2\na: 3\n", 3, `duplicate key "a"`},
		{"syntax error", "a: 1\nb: [\n", 2, "invalid YAML"},
		{"scalar document", "just text\n", 1, "not an object"},
		{"second document is a list", "a: 1\n---\n- x\n", 3, "document 2 is a list"},
		{"list item not an object", "kind: List\nitems:\n- 5\n", 3, "items[0]"},
		{"nested aliases cannot explode", laughs(), 0, "too many values"},
		// yaml.v3 names no line for an error on the first one.
		{"error on the first line", "a: b: c\n", 1, "mapping values are not allowed"},
		{"template on the first line", "{{- if .Values.egress }}\nkind: Egress\n", 1, "invalid YAML"},
		// nor for its reader's errors, found where they are
		{"control character", "a: 1\nb: 2\nc: \"\x01\"\n", 3, "control characters"},
		{"invalid UTF-8", "a: 1\nb: \xff\n", 2, "UTF-8"},
		{"control character in UTF-16", utf16le("a: 1\nb: 2\nc: \"\x01\"\n"), 3, "control characters"},
		{"control character after CR line breaks", "a: 1\rb: 2\rc: \"\x01\"\r", 3, "control characters"},
		{"control character after NEL line breaks", "a: 1\u0085b: 2\u0085c: \"\x01\"\n", 3, "control characters"},
		// scanner errors that speak of Unicode or UTF-8 are not the reader's
		{"bad escape on the first line", "a: \"\\uD800\"\nb: 1\n", 1, "escape"},
		{"bad tag escape on the first line", "!%FF x\n", 1, "UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := DecodeYAML("f.yaml", strings.NewReader(tc.src), 0, func(*Document) error { return nil })
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("want a ParseError, got %v", err)
			}
			if (tc.line > 0 && pe.Line != tc.line) || !strings.Contains(pe.Msg, tc.text) || pe.File != "f.yaml" {
				t.Errorf("got %s:%d %q, want line %d containing %q", pe.File, pe.Line, pe.Msg, tc.line, tc.text)
			}
		})
	}
}

func TestDecodeYAMLDocumentsListsAndEmpties(t *testing.T) {
	docs := decodeAll(t, `---
# only a comment
---
kind: List
items:
- {kind: A, metadata: {name: a}}
- kind: B
  metadata: {name: b}
---
kind: C
`)
	var got []string
	for _, d := range docs {
		got = append(got, d.Kind()+"@"+itoa(d.Line)+"#"+itoa(d.Index))
	}
	if want := []string{"A@6#0", "B@7#1", "C@10#2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestLineOf(t *testing.T) {
	d := decodeAll(t, `apiVersion: v1
kind: Egress
metadata:
  name: x
  annotations:
    meshguard.io/ignore: MG2004
spec:
  ports:
  - number: 80
    protocol: http
  - number: 443
    protocol: grpc
`)[0]
	cases := map[string]int{
		"":                       1,
		"spec":                   7,
		"spec.ports[1].protocol": 12,
		"spec.ports[1]":          11,
		"spec.ports[5].protocol": 8, // no such item: the deepest existing part
		"spec.hosts":             7,
		`metadata.annotations["meshguard.io/ignore"]`: 6,
		"metadata.name": 4,
	}
	for path, want := range cases {
		if got := d.LineOf(path); got != want {
			t.Errorf("LineOf(%q) = %d, want %d", path, got, want)
		}
	}
}

func TestSplitPath(t *testing.T) {
	got := splitPath(`a.b[2].c["x.y/z"].d[0]`)
	want := []pathSeg{{key: "a"}, {key: "b"}, {index: 2, isIndex: true}, {key: "c"}, {key: "x.y/z"}, {key: "d"}, {index: 0, isIndex: true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v", got)
	}
}

// laughs is a "billion laughs" document: 10^12 values once aliases expand.
func laughs() string {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 12; i++ {
		p := "*a" + strconv.Itoa(i-1)
		b.WriteString("a" + strconv.Itoa(i) + ": &a" + strconv.Itoa(i) + " [" + strings.Repeat(p+", ", 9) + p + "]\n")
	}
	return b.String()
}

// utf16le encodes s as UTF-16, little-endian, with a byte order mark.
func utf16le(s string) string {
	b := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}

func TestValueAt(t *testing.T) {
	obj := map[string]any{"spec": map[string]any{"ports": []any{map[string]any{"number": 80}, map[string]any{"number": 443}}},
		"metadata": map[string]any{"annotations": map[string]any{"meshguard.io/ignore": "MG2004"}}}
	for path, want := range map[string]any{
		"spec.ports[1].number":                        443,
		`metadata.annotations["meshguard.io/ignore"]`: "MG2004",
		"spec.ports[2].number":                        nil,
		"spec.ports.number":                           nil,
		"spec.hosts":                                  nil,
		"":                                            nil,
	} {
		got, ok := ValueAt(obj, path)
		if ok != (want != nil) || (ok && got != want) {
			t.Errorf("ValueAt(%q) = %v, %v; want %v", path, got, ok, want)
		}
	}
}

// viaYAMLv3 makes plainDocuments refuse src (a tab in a comment) without
// changing what it says, so that a test covers both readers.
func viaYAMLv3(src string) string { return src + "#\t\n" }

// TestDecodeYAMLListsAsKubectlApplyReadsThem holds the reading of lists to
// what kubectl apply does (k8s.io/apimachinery unstructured.UnstructuredJSONScheme
// decodes, k8s.io/cli-runtime resource.FlattenListVisitor flattens), as
// kubectl v1.37.2 showed it.
func TestDecodeYAMLListsAsKubectlApplyReadsThem(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string // kind/apiVersion name @line, then LineOf("spec.ports[0].protocol")
		errLine   int
		errText   string
	}{
		{
			name: "a List's items are the documents, at their lines",
			src: `apiVersion: v1
kind: List
items:
- apiVersion: policy.openservicemesh.io/v1alpha1
  kind: Egress
  metadata: {name: a}
  spec:
    ports:
    - number: 80
      protocol: grpc
`,
			want: []string{"Egress/policy.openservicemesh.io/v1alpha1 a@4 10"},
		},
		{
			name: "a List inside a List is refused whole, at the inner list's line",
			src: `apiVersion: v1
kind: List
items:
- apiVersion: policy.openservicemesh.io/v1alpha1
  kind: Egress
  metadata: {name: before}
- apiVersion: v1
  kind: List
  items:
  - apiVersion: policy.openservicemesh.io/v1alpha1
    kind: Egress
    metadata: {name: inner}
`,
			errLine: 7,
			errText: "items[1] of the List is itself a list",
		},
		{
			name: "an EgressList inside a List is a list too",
			src: `apiVersion: v1
kind: List
items:
- apiVersion: policy.openservicemesh.io/v1alpha1
  kind: EgressList
  items: []
`,
			errLine: 4,
			errText: "items[0] of the List is itself a list",
		},
		{
			name: "an item with items: null is no list",
			src: `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: c}
  items: null
`,
			want: []string{"ConfigMap/v1 c@4 4"},
		},
		{
			name: "an EgressList's items without kind and apiVersion are Egresses",
			src: `apiVersion: policy.openservicemesh.io/v1alpha1
kind: EgressList
items:
- metadata: {name: a}
  spec:
    ports:
    - number: 80
      protocol: grpc
- kind: Egress
  metadata: {name: b}
`,
			want: []string{"Egress/policy.openservicemesh.io/v1alpha1 a@4 8", "Egress/ b@9 9"},
		},
		{
			name: "any kind with items is a list",
			src: `apiVersion: policy.openservicemesh.io/v1alpha1
kind: Egress
metadata: {name: outer}
items:
- metadata: {name: a}
`,
			want: []string{"Egress/policy.openservicemesh.io/v1alpha1 a@5 5"},
		},
		{
			name: "a List with items: null holds nothing",
			src:  "apiVersion: v1\nkind: List\nitems:\n",
		},
		{
			name:    "items that are no sequence cannot be decoded",
			src:     "apiVersion: v1\nkind: List\nitems: {a: 1}\n",
			errLine: 3,
			errText: "items of the List is not a list",
		},
		{
			name: "a document without kind is no list",
			src:  "apiVersion: v1\nitems: []\n",
			want: []string{"/v1 @1 1"},
		},
	}
	for _, tc := range cases {
		for reader, src := range map[string]string{"plain": tc.src, "yaml.v3": viaYAMLv3(tc.src)} {
			t.Run(tc.name+" ("+reader+")", func(t *testing.T) {
				if _, ok := plainDocuments([]byte(src)); ok != (reader == "plain") {
					t.Fatalf("the %s reader does not read it", reader)
				}
				got := []string{}
				err := DecodeYAMLBytes("f.yaml", []byte(src), 0, func(d *Document) error {
					got = append(got, d.Kind()+"/"+d.APIVersion()+" "+d.Name()+"@"+itoa(d.Line)+" "+itoa(d.LineOf("spec.ports[0].protocol")))
					return nil
				})
				if tc.errText != "" {
					var pe *ParseError
					if !errors.As(err, &pe) || pe.Line != tc.errLine || !strings.Contains(pe.Msg, tc.errText) {
						t.Fatalf("got error %v, want line %d containing %q", err, tc.errLine, tc.errText)
					}
					if len(got) != 0 {
						t.Errorf("documents of a refused list: %v", got)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if want := tc.want; !reflect.DeepEqual(got, append([]string{}, want...)) {
					t.Errorf("got %q, want %q", got, want)
				}
			})
		}
	}
}

// jsonEgress is an Egress as jq -c writes it, named name, whose
// spec.ports[0].protocol is grpc.
func jsonEgress(name string) string {
	return `{"apiVersion":"policy.openservicemesh.io/v1alpha1","kind":"Egress","metadata":{"name":"` + name +
		`","namespace":"curl"},"spec":{"ports":[{"number":80,"protocol":"grpc"}]}}`
}

// TestDecodeYAMLJSONStreams holds the reading of JSON streams to what
// kubectl apply does (k8s.io/apimachinery/pkg/util/yaml
// NewYAMLOrJSONDecoder, as kubectl v1.37.2 showed it): each value a
// document, at its own line.
func TestDecodeYAMLJSONStreams(t *testing.T) {
	pretty := "{\n  \"apiVersion\": \"policy.openservicemesh.io/v1alpha1\",\n  \"kind\": \"Egress\",\n  \"metadata\": {\"name\": \"%s\"},\n  \"spec\": {\n    \"ports\": [\n      {\n        \"number\": 80,\n        \"protocol\": \"grpc\"\n      }\n    ]\n  }\n}\n"
	broken := `{"apiVersion":"v1","kind":"Egress",,"metadata":{"name":"x"}}`
	cases := []struct {
		name, src string
		want      []string // name@line, then LineOf("spec.ports[0].protocol")
		errLine   int
		errText   string
	}{
		{name: "one object a line (jq -c)", src: jsonEgress("a") + "\n" + jsonEgress("b") + "\n\n" + jsonEgress("c") + "\n",
			want: []string{"a@1 1", "b@2 2", "c@4 4"}},
		{name: "pretty-printed back to back (jq)", src: fmt.Sprintf(pretty, "a") + fmt.Sprintf(pretty, "b"),
			want: []string{"a@1 9", "b@14 22"}},
		{name: "touching, and after white space on a line", src: jsonEgress("a") + jsonEgress("b") + "\r\n \t" + jsonEgress("c"),
			want: []string{"a@1 1", "b@1 1", "c@2 2"}},
		{name: "a byte order mark first", src: "\xef\xbb\xbf" + jsonEgress("a") + "\n" + jsonEgress("b") + "\n",
			want: []string{"a@1 1", "b@2 2"}},
		{name: "UTF-16", src: utf16le(jsonEgress("a") + "\n" + jsonEgress("b") + "\n"),
			want: []string{"a@1 1", "b@2 2"}},
		{name: "a List in the stream", src: jsonEgress("a") + "\n" + `{"apiVersion":"v1","kind":"List","items":[` + "\n" + jsonEgress("b") + "]}\n",
			want: []string{"a@1 1", "b@3 3"}},
		// After one value kubectl reads the rest as YAML.
		{name: "YAML after the first object", src: jsonEgress("a") + "\n---\nkind: Egress\nmetadata:\n  name: b\n---\n{kind: Egress, metadata: {name: c}}\n",
			want: []string{"a@1 1", "b@3 3", "c@7 7"}},
		{name: "a second object that is YAML, not JSON", src: jsonEgress("a") + "\n{kind: Egress, metadata: {name: b}}\n",
			want: []string{"a@1 1", "b@2 2"}},
		{name: "a second object on several lines that is YAML, not JSON", src: fmt.Sprintf(pretty, "a") + "{kind: Egress,\n metadata: {name: b},\n spec: {ports: [\n  {number: 80,\n   protocol: grpc}]}}\n",
			want: []string{"a@1 9", "b@14 18"}},
		{name: "second object broken", src: jsonEgress("a") + "\n" + broken + "\n" + jsonEgress("c") + "\n",
			errLine: 2, errText: "invalid JSON: invalid character ','"},
		{name: "third object broken", src: jsonEgress("a") + "\n" + jsonEgress("b") + "\n\n" + broken + "\n",
			errLine: 4, errText: "invalid JSON: invalid character ','"},
		{name: "last object cut short", src: jsonEgress("a") + "\n" + jsonEgress("b") + "\n{\"kind\":\n\"Egress\",\n",
			errLine: 3, errText: "invalid JSON: unexpected EOF"},
		{name: "a document separator after two objects", src: jsonEgress("a") + "\n" + jsonEgress("b") + "\n---\n" + jsonEgress("c") + "\n",
			errLine: 3, errText: "invalid JSON"},
		{name: "an object after two that is not one", src: jsonEgress("a") + "\n" + jsonEgress("b") + "\n5\n",
			errLine: 3, errText: "document 3 is a scalar"},
		// Not JSON to kubectl: YAML, of which a second object is no part.
		{name: "a comment first", src: "# egresses\n" + jsonEgress("a") + "\n" + jsonEgress("b") + "\n",
			errText: "invalid YAML"},
		{name: "a top-level array", src: "[\n" + jsonEgress("a") + ",\n" + jsonEgress("b") + "\n]\n",
			errLine: 1, errText: "document 1 is a list"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := []string{}
			err := DecodeYAMLBytes("f.yaml", []byte(tc.src), 0, func(d *Document) error {
				got = append(got, d.Name()+"@"+itoa(d.Line)+" "+itoa(d.LineOf("spec.ports[0].protocol")))
				return nil
			})
			if tc.errText != "" {
				var pe *ParseError
				if !errors.As(err, &pe) || (tc.errLine > 0 && pe.Line != tc.errLine) || !strings.Contains(pe.Msg, tc.errText) {
					t.Fatalf("got error %v, want line %d containing %q (documents %q)", err, tc.errLine, tc.errText, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestDecodeYAMLJSONStreamOffset: a here-document's JSON stream is read at
// the script's lines.
func TestDecodeYAMLJSONStreamOffset(t *testing.T) {
	var got []int
	err := DecodeYAMLBytes("s.sh", []byte(jsonEgress("a")+"\n"+jsonEgress("b")+"\n"), 10, func(d *Document) error {
		got = append(got, d.LineOf("spec.ports[0].protocol"))
		return nil
	})
	if err != nil || !reflect.DeepEqual(got, []int{11, 12}) {
		t.Fatalf("got %v, %v; want lines 11 and 12", got, err)
	}
	err = DecodeYAMLBytes("s.sh", []byte(jsonEgress("a")+"\n"+jsonEgress("b")+"\n{,}\n"), 10, func(*Document) error { return nil })
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 13 {
		t.Fatalf("got %v, want an error at line 13", err)
	}
}

// TestDecodeYAMLLongStreamsInChunks: a stream longer than streamChunk is
// parsed a part at a time, cut only where a document starts: every document
// is read, with its index and lines, an error in a late part names its
// line, and a directive stays with its document.
func TestDecodeYAMLLongStreamsInChunks(t *testing.T) {
	var b strings.Builder
	n, directive := 0, -1
	for b.Len() < 3*streamChunk {
		if directive < 0 && b.Len() > streamChunk-200 {
			// The first place to cut after streamChunk is this document's
			// "---", which its directive must keep.
			b.WriteString("#" + strings.Repeat(" ", streamChunk-b.Len()-7) + "\n")
			b.WriteString("%YAML 1.1\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: directive}\n")
			directive = n
			n++
			continue
		}
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%d\ndata:\n  k: |\n    text\n    --- not a separator\n", n)
		n++
	}
	if i := strings.Index(b.String(), "%YAML"); i > streamChunk || i+len("%YAML 1.1\n") < streamChunk-5 {
		t.Fatalf("the directive is at %d", i)
	}
	var names []string
	var lines []int
	err := DecodeYAMLBytes("s.yaml", []byte(b.String()), 0, func(d *Document) error {
		names = append(names, d.Name())
		lines = append(lines, d.LineOf("metadata.name"))
		if d.Index != len(names)-1 {
			t.Fatalf("document %s has index %d, want %d", d.Name(), d.Index, len(names)-1)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != n || names[directive] != "directive" || names[n-1] != fmt.Sprintf("c%d", n-1) {
		t.Fatalf("read %d documents, want %d", len(names), n)
	}
	if lines[n-1] != strings.Count(b.String(), "\n")-4 {
		t.Errorf("the last document's name at line %d, want %d", lines[n-1], strings.Count(b.String(), "\n")-4)
	}
	broken := b.String() + "---\nkind: [\n"
	err = DecodeYAMLBytes("s.yaml", []byte(broken), 0, func(*Document) error { return nil })
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != strings.Count(broken, "\n") {
		t.Errorf("error %v, want one at line %d", err, strings.Count(broken, "\n"))
	}
}

// TestStandInHoldsNoTree: what the cluster view keeps of a summarized
// document lets its parse tree go.
func TestStandInHoldsNoTree(t *testing.T) {
	var d *Document
	if err := DecodeYAMLBytes("e.yaml", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"), 0, func(x *Document) error { d = x; return nil }); err != nil {
		t.Fatal(err)
	}
	s := d.StandIn(map[string]any{"kind": "ConfigMap"})
	if s.node != nil || s.LineOf("metadata.name") != 1 || d.LineOf("metadata.name") != 4 || s.Object["kind"] != "ConfigMap" {
		t.Errorf("stand-in %+v", s)
	}
}

// TestDecodeYAMLErrorAcrossACut: a quoted scalar that runs over a "---"
// line (which YAML refuses) is an error in the words it is without cuts,
// wherever the stream is cut.
func TestDecodeYAMLErrorAcrossACut(t *testing.T) {
	var b strings.Builder
	for b.Len() < streamChunk-40 {
		b.WriteString("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
	}
	b.WriteString("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: q}\ndata:\n  note: \"line one\n---\n      more\"\n")
	for i := 0; i < 100; i++ {
		b.WriteString("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: after}\n")
	}
	seen := map[int]bool{}
	err := DecodeYAMLBytes("s.yaml", []byte(b.String()), 0, func(d *Document) error {
		if seen[d.Index] {
			t.Fatalf("document %d given twice", d.Index)
		}
		seen[d.Index] = true
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "document indicator") {
		t.Errorf("error %v, want yaml's unexpected document indicator", err)
	}
}
