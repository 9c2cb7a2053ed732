package source

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Document is one object found in an input.
type Document struct {
	// File is the input's path as given ("-" for stdin).
	File string
	// Index is the 0-based position of the document in its file.
	Index int
	// Line is the 1-based line where the document (or the command that holds
	// it) starts.
	Line int
	// Object is the object, decoded as kubectl decodes YAML.
	Object map[string]any
	// Operation is CREATE for a manifest, UPDATE for a patch.
	Operation string
	// OldObject is the object a patch was applied to.
	OldObject map[string]any
	// AssumedBase is true when OldObject is no object the inputs or the
	// script show but one meshguard assumed (the install-default
	// MeshConfig under the name the patch gives): nothing reported it.
	AssumedBase bool
	// Patch describes the patch that produced Object, for patches.
	Patch *PatchInfo
	// Command is where the command that produced the document stands, in a
	// script (its Seq the document's place among the command's); zero for
	// a manifest or a YAML block.
	Command At
	// Verb is the kubectl verb of the command that produced the document
	// (apply, create, replace, patch); empty for a manifest or a YAML block.
	Verb string
	// DryRun is true when that command ran with --dry-run: it changes
	// nothing on the cluster.
	DryRun bool
	// FieldValidation is what that command asks of the API server for a
	// field it does not know, as kubectl sends it: Strict (apply, create
	// and replace by default: the request is refused), Warn or Ignore (the
	// field is dropped); empty for a patch (the server's default, Warn)
	// and for a manifest.
	FieldValidation string
	// Force is kubectl replace --force: the object is deleted, then
	// created again.
	Force bool
	// Unknown maps the placeholders the object holds, where a script's
	// here-document has a shell expansion ($VAR, $(cmd)), to the expansions
	// as written: their values are not known. nil when there are none.
	Unknown map[string]string
	// Install marks the MeshConfig an osm install in a script leaves: no
	// rule judges it (meshguard does not know the chart's own checks), but
	// it governs what follows, as an applied one would.
	Install bool

	node       *yaml.Node // the document's root mapping, for field lines
	lineOffset int        // added to node lines (YAML embedded in a script)
}

// StandIn is a copy of d that holds object in its place and none of d's
// parse tree: what a reader keeps of a document it has summarized. Its
// fields' lines are not known (LineOf gives the document's line).
func (d *Document) StandIn(object map[string]any) *Document {
	c := *d
	c.Object, c.node = object, nil
	return &c
}

// PatchInfo describes a kubectl patch.
type PatchInfo struct {
	Type       string // merge, json or strategic
	Error      string // why it could not be applied
	Path       string // the field path the failing operation names
	Unresolved string // why the patch could not be read (a shell expansion)
	Refused    string // why kubectl refuses the command itself, sending nothing
	Partial    string // why only the patch's field names are known (Placeholder)
	Source     string // what sent the object ("kubectl apply", "kustomize patch"); "" for kubectl patch
}

// Kind, Namespace and Name read the object's identity.
func (d *Document) Kind() string { s, _ := d.Object["kind"].(string); return s }

// APIVersion returns the object's apiVersion.
func (d *Document) APIVersion() string { s, _ := d.Object["apiVersion"].(string); return s }

// Namespace returns metadata.namespace.
func (d *Document) Namespace() string { return metaString(d.Object, "namespace") }

// Name returns metadata.name.
func (d *Document) Name() string { return metaString(d.Object, "name") }

func metaString(o map[string]any, key string) string {
	m, _ := o["metadata"].(map[string]any)
	s, _ := m[key].(string)
	return s
}

// LineOf returns the line of a field path such as spec.ports[1].protocol: the
// line of the deepest part of the path that exists in the source, else the
// document's line.
func (d *Document) LineOf(path string) int {
	if d.node == nil || path == "" {
		return d.Line
	}
	line := d.node.Line
	n := d.node
	for _, seg := range splitPath(path) {
		n = resolveAlias(n)
		switch {
		case !seg.isIndex && n.Kind == yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == seg.key {
					line, next = n.Content[i].Line, n.Content[i+1]
				}
			}
			if next == nil {
				return line + d.lineOffset
			}
			n = next
		case seg.isIndex && n.Kind == yaml.SequenceNode && seg.index < len(n.Content):
			n = n.Content[seg.index]
			line = n.Line
		default:
			return line + d.lineOffset
		}
	}
	return line + d.lineOffset
}

type pathSeg struct {
	key     string
	index   int
	isIndex bool
}

// ValueAt returns the value at a finding's field path in obj
// (spec.ports[1].protocol, metadata.annotations["meshguard.io/ignore"]), and
// whether there is one.
func ValueAt(obj map[string]any, path string) (any, bool) {
	var v any = obj
	segs := splitPath(path)
	if len(segs) == 0 {
		return nil, false
	}
	for _, seg := range segs {
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[seg.key]
			if seg.isIndex || !ok {
				return nil, false
			}
			v = next
		case []any:
			if !seg.isIndex || seg.index < 0 || seg.index >= len(x) {
				return nil, false
			}
			v = x[seg.index]
		default:
			return nil, false
		}
	}
	return v, true
}

// splitPath splits spec.ports[1].protocol into spec, ports, [1], protocol.
// A key with dots is written in brackets and quotes, as in
// metadata.annotations["meshguard.io/ignore"].
func splitPath(p string) []pathSeg {
	var out []pathSeg
	for i := 0; i < len(p); {
		switch p[i] {
		case '.':
			i++
		case '[':
			end := strings.IndexByte(p[i:], ']')
			if strings.HasPrefix(p[i:], `["`) {
				end = strings.Index(p[i:], `"]`)
				if end < 0 {
					return out
				}
				key, err := strconv.Unquote(p[i+1 : i+end+1])
				if err != nil {
					key = p[i+2 : i+end]
				}
				out = append(out, pathSeg{key: key})
				i += end + 2
				continue
			}
			if end < 0 {
				return out
			}
			n, err := strconv.Atoi(p[i+1 : i+end])
			if err != nil {
				out = append(out, pathSeg{key: p[i+1 : i+end]})
			} else {
				out = append(out, pathSeg{index: n, isIndex: true})
			}
			i += end + 1
		default:
			end := strings.IndexAny(p[i:], ".[")
			if end < 0 {
				end = len(p) - i
			}
			out = append(out, pathSeg{key: p[i : i+end]})
			i += end
		}
	}
	return out
}

// ParseError is an input that is not valid YAML or not an object.
type ParseError struct {
	File string
	Line int
	Msg  string
	// Shell is true for a shell syntax error (as opposed to bad YAML or a bad
	// patch inside a command that parsed).
	Shell bool
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// ParseErrors are the input errors of one script or runbook, whose other
// commands were read all the same, in the order of their lines.
type ParseErrors []*ParseError

// keep adds err to es when it is an input error (a *ParseError or
// ParseErrors), so that the caller reads on, and returns any other error.
func (es *ParseErrors) keep(err error) error {
	var pes ParseErrors
	var pe *ParseError
	switch {
	case errors.As(err, &pes):
		*es = append(*es, pes...)
	case errors.As(err, &pe):
		*es = append(*es, pe)
	default:
		return err
	}
	return nil
}

func (es ParseErrors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

func (es ParseErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// orNil is nil for no errors, the error itself for one, else all of them.
func (es ParseErrors) orNil() error {
	switch len(es) {
	case 0:
		return nil
	case 1:
		return es[0]
	}
	return es
}

// DecodeYAML reads every document of a YAML or JSON stream, calling fn for each
// object (the items of a kind: List each count as one). Empty documents are
// skipped; documents without apiVersion and kind are passed on all the same, so
// the caller decides what to ignore. lineOffset is added to every line (YAML
// embedded at that line of a script). It stops at the first parse error, which
// it returns as a *ParseError naming the line.
func DecodeYAML(file string, r io.Reader, lineOffset int, fn func(*Document) error) error {
	content, err := io.ReadAll(r)
	if err != nil {
		return &ParseError{File: file, Msg: "read: " + err.Error()}
	}
	return DecodeYAMLBytes(file, content, lineOffset, fn)
}

// invalid starts a parse error's message: a .json file is read as YAML, of
// which JSON is a subset, but its author wrote JSON.
func invalid(file string) string {
	if strings.EqualFold(filepath.Ext(file), ".json") {
		return "invalid JSON: "
	}
	return "invalid YAML: "
}

// DecodeYAMLBytes is DecodeYAML of content in memory.
func DecodeYAMLBytes(file string, content []byte, lineOffset int, fn func(*Document) error) error {
	index := 0
	if b, ok := jsonStream(content); ok {
		return decodeJSONStream(file, b, lineOffset, &index, fn)
	}
	_, err := decodeYAMLStream(file, content, lineOffset, &index, fn)
	return err
}

// streamChunk is how much of a YAML stream is parsed at a time: a stream
// of many documents (helm template | meshguard validate -) is read a few
// hundred documents at a time, not parsed whole before its first document
// is judged, so that what a run holds does not grow with it.
const streamChunk = 64 << 10

// decodeYAMLStream reads content as a YAML stream. inFirst reports
// whether err is a syntax error in the stream's first document.
func decodeYAMLStream(file string, content []byte, lineOffset int, index *int, fn func(*Document) error) (inFirst bool, err error) {
	first := true
	for len(content) > streamChunk {
		n := chunkEnd(content, streamChunk)
		if n == len(content) {
			break
		}
		start, emitted := *index, 0
		inFirst, err := decodeYAMLDocuments(file, content[:n], lineOffset, index, func(d *Document) error {
			emitted++
			return fn(d)
		})
		var pe *ParseError
		if errors.As(err, &pe) {
			// A syntax error may be the cut's doing (a quoted scalar
			// with a "---" line, which YAML refuses, runs on past it):
			// read the rest whole, as without cuts, for the same error.
			*index = start
			skip := emitted
			inFirst, err := decodeYAMLDocuments(file, content, lineOffset, index, func(d *Document) error {
				if skip > 0 {
					skip--
					return nil
				}
				return fn(d)
			})
			return first && inFirst, err
		}
		if err != nil {
			return first && inFirst, err
		}
		lineOffset += bytes.Count(content[:n], []byte{'\n'})
		content, first = content[n:], false
	}
	inFirst, err = decodeYAMLDocuments(file, content, lineOffset, index, fn)
	return first && inFirst, err
}

// chunkEnd is where content can be cut into two YAML streams of whole
// documents, at or after min bytes: the start of a line that starts a
// document ("---", then nothing or a blank), which YAML allows in no
// scalar. A cut never parts a directive (%YAML) from the document it
// belongs to. len(content) when there is no such line.
func chunkEnd(content []byte, min int) int {
	for at := min; at < len(content); {
		i := bytes.Index(content[at:], []byte("\n---"))
		if i < 0 {
			return len(content)
		}
		start := at + i + 1
		rest := content[start+3:]
		if len(rest) == 0 || rest[0] == '\n' || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\r' {
			prev := content[:start-1]
			if j := bytes.LastIndexByte(prev, '\n'); !bytes.HasPrefix(prev[j+1:], []byte("%")) {
				return start
			}
		}
		at = start + 3
	}
	return len(content)
}

// decodeYAMLDocuments is decodeYAMLStream of one chunk.
func decodeYAMLDocuments(file string, content []byte, lineOffset int, index *int, fn func(*Document) error) (inFirst bool, err error) {
	if roots, ok := plainDocuments(content); ok {
		for _, root := range roots {
			if err := emitRoot(file, root, index, lineOffset, fn); err != nil {
				return false, err
			}
		}
		return false, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(content))
	for docs := 0; ; docs++ {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return docs == 0, &ParseError{File: file, Line: errorLine(err, content) + lineOffset, Msg: invalid(file) + cleanYAMLError(err)}
		}
		if len(n.Content) == 0 {
			continue
		}
		if err := emitRoot(file, n.Content[0], index, lineOffset, fn); err != nil {
			return false, err
		}
	}
}

// jsonSniff is how much of a stream kubectl looks at to tell JSON from
// YAML (resource.StreamVisitor's NewYAMLOrJSONDecoder(r, 4096)).
const jsonSniff = 4096

// jsonStream reports whether kubectl reads content as a stream of JSON
// values, and returns content as its JSON decoder gets it. kubectl
// (k8s.io/apimachinery/pkg/util/yaml NewYAMLOrJSONDecoder) takes a stream
// for JSON when the first character in its first 4096 bytes that is not
// white space (unicode.IsSpace) is "{", after dropping a byte order mark
// (cli-runtime's FileVisitor reads files and stdin through
// unicode.BOMOverride, which also turns UTF-16 into UTF-8). Anything else,
// a top-level JSON array or a leading comment included, is YAML to it.
func jsonStream(content []byte) ([]byte, bool) {
	b := content
	if runes, ok := decodeUTF16(content); ok {
		for _, r := range runes {
			if r < 0 || utf16.IsSurrogate(r) {
				return nil, false // yaml.v3 names the bad character's line
			}
		}
		b = []byte(string(runes))
	} else {
		b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	}
	head := b[:min(len(b), jsonSniff)]
	if !bytes.HasPrefix(bytes.TrimLeftFunc(head, unicode.IsSpace), []byte("{")) {
		return nil, false
	}
	return b, true
}

// decodeJSONStream reads a stream kubectl reads as JSON, as it reads it
// (YAMLOrJSONDecoder.Decode): JSON values one after another, with or
// without white space between them, each a document. Each value is then
// read by yaml.v3 (JSON is YAML), as a single JSON document always was,
// at its own lines. When a value does not parse as JSON, kubectl reads
// what is left as YAML if it has read no more than one value, and stops
// with the JSON error otherwise; meshguard does the same, and names the
// line of the JSON error.
func decodeJSONStream(file string, content []byte, lineOffset int, index *int, fn func(*Document) error) error {
	dec := json.NewDecoder(bytes.NewReader(content))
	lines := lineCounter{content: content, line: 1}
	for values := 0; ; values++ {
		start := int(dec.InputOffset())
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			jsonErr := &ParseError{File: file, Line: lines.at(jsonErrorAt(err, content, start)) + lineOffset, Msg: "invalid JSON: " + err.Error()}
			switch values {
			case 0:
				// Not JSON from the start: kubectl reads the whole as YAML.
				_, err := decodeYAMLStream(file, content, lineOffset, index, fn)
				return err
			case 1:
				// kubectl reads the rest as YAML, from past the white space
				// that follows the first value up to its line's end, and
				// reports the JSON error if the rest's first document does
				// not parse either.
				rest := afterBlanks(content, start)
				inFirst, err := decodeYAMLStream(file, content[rest:], lineOffset+lines.at(rest)-1, index, fn)
				if inFirst {
					return jsonErr
				}
				return err
			}
			return jsonErr
		}
		at := start + len(content[start:]) - len(bytes.TrimLeft(content[start:], " \t\r\n"))
		if _, err := decodeYAMLStream(file, content[at:dec.InputOffset()], lineOffset+lines.at(at)-1, index, fn); err != nil {
			return err
		}
	}
}

// jsonErrorAt is the offset in content of the byte a JSON decoding error is
// about: a syntax error's, or for a value cut short, the value's first.
func jsonErrorAt(err error, content []byte, start int) int {
	var se *json.SyntaxError
	if errors.As(err, &se) && se.Offset > 0 && int(se.Offset) <= len(content) {
		return int(se.Offset) - 1 // Offset counts the bytes read, the bad one too
	}
	return start + len(content[start:]) - len(bytes.TrimLeft(content[start:], " \t\r\n"))
}

// afterBlanks is where kubectl's YAML decoder takes up a stream whose JSON
// stopped at offset i (YAMLOrJSONDecoder.consumeWhitespace): past the white
// space there, up to and including the first line feed.
func afterBlanks(content []byte, i int) int {
	for i < len(content) {
		r, size := utf8.DecodeRune(content[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += size
		if r == '\n' {
			break
		}
	}
	return i
}

// lineCounter numbers the lines of content at growing offsets, as
// yaml.v3 numbers them (a line breaks at LF, CR LF or a lone CR; JSON
// allows no other break between values).
type lineCounter struct {
	content []byte
	off     int // counted up to here
	line    int // the line of off
}

// at returns the 1-based line of offset i, counting on from the offset
// asked before (from the start when i is below it).
func (c *lineCounter) at(i int) int {
	if i < c.off {
		c.off, c.line = 0, 1
	}
	for ; c.off < i && c.off < len(c.content); c.off++ {
		if b := c.content[c.off]; b == '\n' || b == '\r' && (c.off+1 == len(c.content) || c.content[c.off+1] != '\n') {
			c.line++
		}
	}
	return c.line
}

// emitRoot calls fn for the object of a document's root node (for each item
// of a List), counting them in index.
func emitRoot(file string, root *yaml.Node, index *int, lineOffset int, fn func(*Document) error) error {
	root = resolveAlias(root)
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		return &ParseError{File: file, Line: root.Line + lineOffset, Msg: fmt.Sprintf("document %d is a %s, not an object", *index+1, kindName(root))}
	}
	v, err := toValue(root)
	if err != nil {
		return &ParseError{File: file, Line: errLine(err, root) + lineOffset, Msg: err.Error()}
	}
	obj := v.(map[string]any)
	items, isList, err := listItems(obj, root)
	if err != nil {
		return &ParseError{File: file, Line: errLine(err, root) + lineOffset, Msg: err.Error()}
	}
	if !isList {
		if err := fn(&Document{File: file, Index: *index, Line: root.Line + lineOffset, Object: obj, Operation: "CREATE", node: root, lineOffset: lineOffset}); err != nil {
			return err
		}
		*index++
		return nil
	}
	for _, item := range items {
		if err := fn(&Document{File: file, Index: *index, Line: item.node.Line + lineOffset, Object: item.value, Operation: "CREATE", node: item.node, lineOffset: lineOffset}); err != nil {
			return err
		}
		*index++
	}
	return nil
}

type listItem struct {
	value map[string]any
	node  *yaml.Node
}

// listItems returns the items of a list, read as kubectl apply reads one
// (k8s.io/apimachinery unstructured.UnstructuredJSONScheme decodes it,
// k8s.io/cli-runtime resource.FlattenListVisitor flattens it): a document
// whose kind is set and which has an items key is a list, whatever its kind
// ("List", "EgressList"); items: null is one with no items, and an items
// that is no sequence is an error. An item without kind and apiVersion takes
// the list's apiVersion and its kind less "List" (an EgressList's items
// are Egresses). kubectl flattens one level only: an item that holds an
// items sequence of its own (a List inside a List) makes it refuse the
// whole list, so none of its items is returned then, only the error.
func listItems(obj map[string]any, root *yaml.Node) ([]listItem, bool, error) {
	kind, _ := obj["kind"].(string)
	raw, ok := obj["items"]
	if !ok || kind == "" {
		return nil, false, nil
	}
	itemsKey, seq := root, (*yaml.Node)(nil)
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "items" {
			itemsKey, seq = root.Content[i], resolveAlias(root.Content[i+1])
		}
	}
	if raw == nil {
		return nil, true, nil
	}
	items, ok := raw.([]any)
	if !ok {
		return nil, false, &nodeError{line: itemsKey.Line, msg: fmt.Sprintf("items of the %s is not a list: kubectl cannot decode it", kind)}
	}
	apiVersion, _ := obj["apiVersion"].(string)
	out := make([]listItem, len(items))
	for i, it := range items {
		node := root
		if seq != nil && i < len(seq.Content) {
			node = resolveAlias(seq.Content[i])
		}
		itemObj, ok := it.(map[string]any)
		if !ok {
			return nil, false, &nodeError{line: node.Line, msg: fmt.Sprintf("items[%d] of the %s is not an object", i, kind)}
		}
		if _, ok := itemObj["items"].([]any); ok {
			return nil, false, &nodeError{line: node.Line, msg: fmt.Sprintf(
				"items[%d] of the %s is itself a list (it has items): kubectl flattens one level only and refuses the whole %s (\"*unstructured.Unstructured is not a list: no Items field in this object\"), applying none of its items; move the inner items up into the outer list",
				i, kind, kind)}
		}
		// An item without kind and apiVersion is one of a typed list the
		// API server wrote (an EgressList's items carry neither): kubectl
		// gives it the list's apiVersion and kind less "List".
		k, _ := itemObj["kind"].(string)
		v, _ := itemObj["apiVersion"].(string)
		if itemKind := strings.TrimSuffix(kind, "List"); k == "" && v == "" && itemKind != "" {
			itemObj["kind"], itemObj["apiVersion"] = itemKind, apiVersion
		}
		out[i] = listItem{value: itemObj, node: node}
	}
	return out, true, nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "scalar"
	}
	return "node"
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// nodeError carries the line of the node a conversion error is about.
type nodeError struct {
	line int
	msg  string
}

func (e *nodeError) Error() string { return e.msg }

func errLine(err error, root *yaml.Node) int {
	var ne *nodeError
	if errors.As(err, &ne) {
		return ne.line
	}
	return root.Line
}

// yaml11Bools are the plain scalars YAML 1.1 reads as booleans. kubectl decodes
// YAML with sigs.k8s.io/yaml (YAML 1.1), so an unquoted off is sent as false: we
// decode the same way to judge what the API server really receives.
var yaml11Bools = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "on": true, "On": true, "ON": true,
	"n": false, "N": false, "no": false, "No": false, "NO": false, "off": false, "Off": false, "OFF": false,
}

// toValue converts a YAML node into the JSON-like values the API server works
// with: map[string]any, []any, string, bool, int64, float64 and nil.
func toValue(n *yaml.Node) (any, error) {
	c := converter{budget: maxNodes}
	return c.convert(n, 0)
}

const (
	maxDepth = 1000
	// maxNodes bounds the values one document may expand to, so that nested
	// aliases ("billion laughs") cannot exhaust memory or time.
	maxNodes = 1 << 20
)

type converter struct{ budget int }

func (c *converter) convert(n *yaml.Node, depth int) (any, error) {
	if depth > maxDepth {
		return nil, &nodeError{line: n.Line, msg: "document nests too deeply"}
	}
	if c.budget--; c.budget < 0 {
		return nil, &nodeError{line: n.Line, msg: "document expands to too many values (aliases nested too deeply?)"}
	}
	n = resolveAlias(n)
	switch n.Kind {
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		explicit := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := resolveAlias(n.Content[i]), n.Content[i+1]
			if k.Tag == "!!merge" {
				if err := c.merge(out, explicit, v, depth); err != nil {
					return nil, err
				}
				continue
			}
			if k.Kind != yaml.ScalarNode {
				return nil, &nodeError{line: k.Line, msg: "mapping key is not a scalar"}
			}
			key := k.Value
			if explicit[key] {
				return nil, &nodeError{line: k.Line, msg: fmt.Sprintf("duplicate key %q", key)}
			}
			val, err := c.convert(v, depth+1)
			if err != nil {
				return nil, err
			}
			out[key] = val
			explicit[key] = true
		}
		return out, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			val, err := c.convert(item, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, val)
		}
		return out, nil
	case yaml.ScalarNode:
		return scalar(n)
	}
	return nil, &nodeError{line: n.Line, msg: "unsupported YAML node"}
}

// merge applies a YAML merge key (<<: *anchor): explicit keys win.
func (c *converter) merge(out map[string]any, explicit map[string]bool, v *yaml.Node, depth int) error {
	v = resolveAlias(v)
	var sources []*yaml.Node
	switch v.Kind {
	case yaml.MappingNode:
		sources = []*yaml.Node{v}
	case yaml.SequenceNode:
		sources = v.Content
	default:
		return &nodeError{line: v.Line, msg: "merge key (<<) needs a mapping"}
	}
	for _, s := range sources {
		val, err := c.convert(s, depth+1)
		if err != nil {
			return err
		}
		m, ok := val.(map[string]any)
		if !ok {
			return &nodeError{line: s.Line, msg: "merge key (<<) needs a mapping"}
		}
		for k, x := range m {
			if _, set := out[k]; !set && !explicit[k] {
				out[k] = x
			}
		}
	}
	return nil
}

func scalar(n *yaml.Node) (any, error) {
	if strings.Contains(n.Value, Placeholder) {
		// A shell expansion stands for the value (!!int $PORT): a value
		// meshguard does not know, not a broken one.
		return n.Value, nil
	}
	// Only plain, untagged scalars: "off" and !!str off stay strings.
	if n.Style == 0 {
		if b, ok := yaml11Bools[n.Value]; ok {
			return b, nil
		}
	}
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, &nodeError{line: n.Line, msg: err.Error()}
		}
		return b, nil
	case "!!int":
		var i int64
		if err := n.Decode(&i); err == nil {
			return i, nil
		}
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, &nodeError{line: n.Line, msg: fmt.Sprintf("number %s is out of range", n.Value)}
		}
		return f, nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, &nodeError{line: n.Line, msg: err.Error()}
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, &nodeError{line: n.Line, msg: fmt.Sprintf("%s is not a JSON number", n.Value)}
		}
		if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int64(f), nil
		}
		return f, nil
	case "!!timestamp", "!!binary", "!!str":
		return n.Value, nil
	}
	return n.Value, nil
}

// errorLine is the line a yaml.v3 error is about. yaml.v3 leaves the line
// out of the message when it is the first one (both of its marks are 0),
// and out of the errors of its reader (a control character, invalid UTF-8
// or UTF-16), which can be on any line: those are found in content.
func errorLine(err error, content []byte) int {
	if n := yamlErrorLine(err); n > 0 {
		return n
	}
	msg := err.Error()
	for _, reader := range []string{"control characters", "UTF-8 octet", "UTF-8 sequence", "UTF-16", "surrogate", "invalid Unicode character"} {
		if strings.Contains(msg, reader) && !strings.Contains(msg, "escape") {
			if n := badCharLine(content); n > 0 {
				return n
			}
			break
		}
	}
	return 1
}

// badCharLine is the line of the first character YAML does not allow in a
// stream (C0 and C1 controls but tab, line feed, carriage return and NEL;
// invalid UTF-8 or UTF-16); 0 when there is none. Lines break as yaml.v3
// breaks them: at LF, CR, CR LF, NEL, and U+2028 and U+2029.
func badCharLine(content []byte) int {
	runes, ok := decodeUTF16(content)
	if !ok {
		runes = nil
		for i := 0; i < len(content); {
			c, size := utf8.DecodeRune(content[i:])
			if c == utf8.RuneError && size == 1 {
				c = -1
			}
			runes = append(runes, c)
			i += size
		}
	}
	line := 1
	for i, c := range runes {
		switch {
		case c < 0,
			c < 0x20 && c != '\t' && c != '\n' && c != '\r',
			c == 0x7f, c >= 0x80 && c <= 0x9f && c != 0x85,
			c >= 0xd800 && c <= 0xdfff, c == 0xfffe || c == 0xffff:
			return line
		case c == '\n', c == 0x85, c == 0x2028, c == 0x2029,
			c == '\r' && (i+1 == len(runes) || runes[i+1] != '\n'):
			line++
		}
	}
	return 0
}

// decodeUTF16 decodes content that starts with a UTF-16 byte order mark, as
// yaml.v3 reads it; ok is false for any other content. Unpaired surrogates
// are kept, as invalid characters, and an odd last byte is one too.
func decodeUTF16(content []byte) (runes []rune, ok bool) {
	if len(content) < 2 {
		return nil, false
	}
	var order binary.ByteOrder
	switch {
	case content[0] == 0xff && content[1] == 0xfe:
		order = binary.LittleEndian
	case content[0] == 0xfe && content[1] == 0xff:
		order = binary.BigEndian
	default:
		return nil, false
	}
	units := make([]uint16, 0, len(content)/2)
	for i := 2; i+1 < len(content); i += 2 {
		units = append(units, order.Uint16(content[i:]))
	}
	for i := 0; i < len(units); i++ {
		u := rune(units[i])
		if utf16.IsSurrogate(u) && i+1 < len(units) {
			if r := utf16.DecodeRune(u, rune(units[i+1])); r != utf8.RuneError {
				runes = append(runes, r)
				i++
				continue
			}
		}
		runes = append(runes, u)
	}
	if len(content)%2 == 1 {
		runes = append(runes, -1)
	}
	return runes, true
}

// yamlErrorLine digs the line number out of a yaml.v3 error ("yaml: line 7: ...").
func yamlErrorLine(err error) int {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if i := strings.Index(msg, "line "); i >= 0 {
		rest := msg[i+5:]
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if n, err := strconv.Atoi(rest[:j]); err == nil {
			return n
		}
	}
	return 0
}

func cleanYAMLError(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if i := strings.Index(msg, "line "); i == 0 {
		if j := strings.Index(msg, ": "); j > 0 {
			msg = msg[j+2:]
		}
	}
	return msg
}

// At is where the document stands in the order a script runs: its
// command's place, or its own line for a manifest or a YAML block.
func (d *Document) At() At {
	if d.Command.Line != 0 {
		return d.Command
	}
	return At{File: d.File, Line: d.Line}
}
