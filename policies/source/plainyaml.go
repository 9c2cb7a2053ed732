package source

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// plainDocuments parses content when it stays within a plain subset of YAML
// and returns the root node of each non-empty document exactly as yaml.v3
// builds it (kind, tag, value, style, line and column of every node); ok is
// false for anything else, and the caller then hands the whole of content to
// yaml.v3.
//
// Why: yaml.v3 is the fastest YAML parser for Go we measured (yaml.v2 and
// goccy/go-yaml were slower), and still took about 50 µs for a 340-byte Egress
// manifest, a sixth of validate's CPU time when each manifest is decoded
// twice (cluster view, then judging). Most manifests are written in a small
// part of YAML: block mappings and sequences, one-line flow collections,
// plain and quoted one-line scalars, comments and document separators. That
// part is parsed here in a few microseconds. Anything outside it (anchors,
// tags, block scalars, escapes, multi-line scalars, tabs, non-ASCII bytes,
// duplicate keys, a scalar whose type is not obvious, every
// error) goes to yaml.v3, so errors and their lines are yaml.v3's.
// TestPlainYAMLAgrees and FuzzPlainYAML hold the two to the same trees.
//
// Comments are skipped, not kept on the nodes as yaml.v3 keeps them:
// nothing in meshguard reads them. Code that comes to read a comment
// (a suppression written as one, say) must take it from yaml.v3.
func plainDocuments(content []byte) (roots []*yaml.Node, ok bool) {
	for _, c := range content {
		if (c < 0x20 && c != '\n') || c >= 0x7f {
			return nil, false // tabs, CR, control bytes, non-ASCII
		}
	}
	return plainParse(string(content))
}

// plainParse is plainDocuments of text, once its bytes are known to be plain.
// No node refers to text: every value is a copy (plainScalar), so that a
// name a run keeps (the cluster view's, a finding's) does not keep the whole
// file in memory.
func plainParse(text string) (roots []*yaml.Node, ok bool) {
	p := plainParser{}
	var doc []plainLine
	flush := func() bool {
		if len(doc) == 0 {
			return true
		}
		p.lines, p.i = doc, 0
		root, ok := p.node()
		if !ok || p.i != len(p.lines) || root.Kind != yaml.MappingNode {
			return false
		}
		roots = append(roots, root)
		doc = nil
		return true
	}
	for num := 1; len(text) > 0; num++ {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		rest := line[indent:]
		switch {
		case rest == "" || rest[0] == '#':
			continue // blank or a comment
		case strings.HasPrefix(line, "---"):
			// A separator: "---", then nothing, or spaces and a comment.
			after := line[3:]
			spaced := strings.TrimLeft(after, " ")
			if spaced != "" && (spaced[0] != '#' || len(spaced) == len(after)) {
				return nil, false // content on the separator's line ("---a", "--- a: 1", "---#")
			}
			if !flush() {
				return nil, false
			}
			continue
		case strings.HasPrefix(line, "..."), line[0] == '%':
			return nil, false // document end markers, directives
		}
		doc = append(doc, plainLine{num: num, indent: indent, s: line})
	}
	if !flush() {
		return nil, false
	}
	return roots, true
}

type plainLine struct {
	num    int    // 1-based
	indent int    // leading spaces
	s      string // the whole line; columns are byte offsets + 1
}

type plainParser struct {
	lines []plainLine
	i     int
	depth int // of block nodes, bounded by maxPlainDepth
}

// maxPlainDepth bounds how deeply the plain subset nests, block or flow: a
// deeper document (a manifest never is) goes to yaml.v3 and its limits.
const maxPlainDepth = 64

// dash reports whether a line is a block sequence entry at its indent.
func (l plainLine) dash() bool {
	r := l.s[l.indent:]
	return r == "-" || strings.HasPrefix(r, "- ")
}

// node parses the block node that starts at the current line.
func (p *plainParser) node() (*yaml.Node, bool) {
	if p.depth++; p.depth > maxPlainDepth {
		return nil, false
	}
	defer func() { p.depth-- }()
	if p.lines[p.i].dash() {
		return p.sequence(p.lines[p.i].indent)
	}
	return p.mapping(p.lines[p.i].indent)
}

func (p *plainParser) mapping(indent int) (*yaml.Node, bool) {
	first := p.lines[p.i]
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: first.num, Column: indent + 1}
	keys := map[string]bool{}
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		if l.indent < indent {
			break
		}
		if l.indent > indent || l.dash() {
			return nil, false
		}
		key, valueAt, colon, ok := plainKey(l, indent)
		if !ok || keys[key.Value] {
			// Not a key, or a duplicate, which yaml.v3 builds but meshguard
			// then refuses (toValue): left to yaml.v3 either way.
			return nil, false
		}
		keys[key.Value] = true
		var value *yaml.Node
		if valueAt < 0 {
			// The value is the block below: more indented, or a sequence at
			// the key's own indent.
			p.i++
			switch {
			case p.i < len(p.lines) && p.lines[p.i].indent > indent:
				value, ok = p.node()
			case p.i < len(p.lines) && p.lines[p.i].indent == indent && p.lines[p.i].dash():
				value, ok = p.node() // a sequence at the key's indent
			default:
				// An empty value: null, placed where yaml.v3 places it,
				// just after the colon.
				value, ok = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: l.num, Column: colon + 2}, true
			}
		} else {
			value, ok = p.inline(l, valueAt, indent)
		}
		if !ok {
			return nil, false
		}
		n.Content = append(n.Content, key, value)
	}
	return n, true
}

func (p *plainParser) sequence(indent int) (*yaml.Node, bool) {
	first := p.lines[p.i]
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: first.num, Column: indent + 1}
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		if l.indent < indent || (l.indent == indent && !l.dash()) {
			break
		}
		if l.indent > indent || len(l.s) == indent+1 {
			return nil, false // a stray indent, or "-" with the item below
		}
		at := indent + 1
		for at < len(l.s) && l.s[at] == ' ' {
			at++
		}
		if at == len(l.s) {
			return nil, false // "- " and the item below
		}
		var item *yaml.Node
		var ok bool
		if _, _, _, isKey := plainKey(l, at); isKey {
			// "- key: value": a mapping whose keys stand at the item's column.
			// The line is read from there on, as if indented that far, so
			// that its mapping is parsed as any other (and the next lines
			// at that column continue it).
			p.lines[p.i].indent = at
			item, ok = p.node()
		} else {
			if l.s[at] == '-' && !strings.HasPrefix(l.s[at:], "--") {
				return nil, false // "- - x", "- -1"; "- --port=80" is a flag
			}
			item, ok = p.inline(l, at, indent)
		}
		if !ok {
			return nil, false
		}
		n.Content = append(n.Content, item)
	}
	return n, true
}

// inline parses the value that starts at column at of line l and ends with
// it, then moves past the line. A following line indented more than the
// parent would continue a multi-line scalar: not plain.
func (p *plainParser) inline(l plainLine, at, parent int) (*yaml.Node, bool) {
	var n *yaml.Node
	end := 0
	switch l.s[at] {
	case '[', '{':
		var ok bool
		n, end, ok = plainFlow(l, at, 0)
		if !ok {
			return nil, false
		}
	case '"', '\'':
		var ok bool
		n, end, ok = plainQuoted(l, at)
		if !ok {
			return nil, false
		}
	default:
		v := l.s[at:]
		if i := strings.Index(v, " #"); i >= 0 {
			v = v[:i]
		}
		v = strings.TrimRight(v, " ")
		tag, ok := plainTag(v, true)
		if !ok {
			return nil, false
		}
		n = plainScalar(tag, 0, v, l, at)
		end = len(l.s)
	}
	if !plainRest(l.s[end:]) {
		return nil, false
	}
	p.i++
	if p.i < len(p.lines) && p.lines[p.i].indent > parent {
		return nil, false
	}
	return n, true
}

// plainRest reports whether what follows a value on its line is nothing but
// spaces and a comment.
func plainRest(s string) bool {
	t := strings.TrimLeft(s, " ")
	return t == "" || (t[0] == '#' && len(t) < len(s))
}

// plainKey reads "key:" at column at of line l: the key's node, the column
// of the value on the same line (-1 when there is none) and the colon's.
func plainKey(l plainLine, at int) (key *yaml.Node, valueAt, colon int, ok bool) {
	s := l.s
	var end int
	if at < len(s) && (s[at] == '"' || s[at] == '\'') {
		key, end, ok = plainQuoted(l, at)
		if !ok {
			return nil, 0, 0, false
		}
	} else {
		end = at
		for end < len(s) && s[end] != ':' && s[end] != ' ' {
			end++
		}
		tag, ok := plainTag(s[at:end], false)
		if !ok {
			return nil, 0, 0, false
		}
		key = plainScalar(tag, 0, s[at:end], l, at)
	}
	if end >= len(s) || s[end] != ':' || end-at > maxPlainKey {
		return nil, 0, 0, false
	}
	colon = end
	end++
	if end < len(s) && s[end] != ' ' {
		return nil, 0, 0, false
	}
	for end < len(s) && s[end] == ' ' {
		end++
	}
	if end == len(s) || s[end] == '#' {
		return key, -1, colon, true
	}
	return key, end, colon, true
}

// maxPlainKey is below yaml.v3's limit on the length of a block mapping's
// key (1024); flow keys, which have no such limit, are held to it too.
const maxPlainKey = 1000

// plainQuoted reads a one-line quoted scalar without escapes at column at.
func plainQuoted(l plainLine, at int) (*yaml.Node, int, bool) {
	q := l.s[at]
	close := strings.IndexByte(l.s[at+1:], q)
	if close < 0 {
		return nil, 0, false
	}
	close += at + 1
	v := l.s[at+1 : close]
	if (q == '"' && strings.IndexByte(v, '\\') >= 0) || (q == '\'' && close+1 < len(l.s) && l.s[close+1] == '\'') {
		return nil, 0, false // escapes: \x, ''
	}
	style := yaml.DoubleQuotedStyle
	if q == '\'' {
		style = yaml.SingleQuotedStyle
	}
	return plainScalar("!!str", style, v, l, at), close + 1, true
}

// plainFlow reads a flow sequence or mapping that closes on its line.
func plainFlow(l plainLine, at, depth int) (*yaml.Node, int, bool) {
	if depth > maxPlainDepth {
		return nil, 0, false
	}
	s := l.s
	open := s[at]
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle, Line: l.num, Column: at + 1}
	closer := byte(']')
	if open == '{' {
		n.Kind, n.Tag, closer = yaml.MappingNode, "!!map", '}'
	}
	keys := map[string]bool{}
	i := skipSpaces(s, at+1)
	if i < len(s) && s[i] == closer {
		return n, i + 1, true
	}
	for {
		if open == '{' {
			key, end, ok := plainFlowScalar(l, i)
			if !ok || keys[key.Value] || end-i > maxPlainKey || end >= len(s) || s[end] != ':' || end+1 >= len(s) || s[end+1] != ' ' {
				return nil, 0, false
			}
			keys[key.Value] = true
			n.Content = append(n.Content, key)
			i = skipSpaces(s, end+1)
		}
		var item *yaml.Node
		var end int
		var ok bool
		if i < len(s) && (s[i] == '[' || s[i] == '{') {
			item, end, ok = plainFlow(l, i, depth+1)
		} else {
			item, end, ok = plainFlowScalar(l, i)
		}
		if !ok {
			return nil, 0, false
		}
		n.Content = append(n.Content, item)
		i = skipSpaces(s, end)
		switch {
		case i < len(s) && s[i] == closer:
			return n, i + 1, true
		case i < len(s) && s[i] == ',':
			i = skipSpaces(s, i+1)
			if i >= len(s) || s[i] == closer {
				return nil, 0, false // a trailing comma
			}
		default:
			return nil, 0, false
		}
	}
}

// plainFlowScalar reads a quoted scalar, or a plain one of no spaces, inside
// a flow collection.
func plainFlowScalar(l plainLine, at int) (*yaml.Node, int, bool) {
	s := l.s
	if at >= len(s) {
		return nil, 0, false
	}
	if s[at] == '"' || s[at] == '\'' {
		return plainQuoted(l, at)
	}
	end := at
	for end < len(s) && !strings.ContainsRune(" ,:[]{}#", rune(s[end])) {
		end++
	}
	tag, ok := plainTag(s[at:end], false)
	if !ok {
		return nil, 0, false
	}
	return plainScalar(tag, 0, s[at:end], l, at), end, true
}

// plainScalar is the node of scalar v at column at of line l, v copied
// (or one of the words most manifests share, which need no copy).
func plainScalar(tag string, style yaml.Style, v string, l plainLine, at int) *yaml.Node {
	if w, ok := plainWords[v]; ok {
		v = w
	} else {
		v = strings.Clone(v)
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Style: style, Tag: tag, Value: v, Line: l.num, Column: at + 1}
}

var plainWords = func() map[string]string {
	m := map[string]string{}
	for _, w := range strings.Fields(`apiVersion kind metadata name namespace labels annotations spec
		sources hosts ipAddresses ports number protocol matches apiGroup
		http https tcp tcp-server-first ServiceAccount Egress UpstreamTrafficSetting MeshConfig Namespace
		policy.openservicemesh.io/v1alpha1 config.openservicemesh.io/v1alpha2 v1
		traffic sidecar certificate featureFlags observability true false`) {
		m[w] = w
	}
	return m
}()

func skipSpaces(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

// plainTag is the tag yaml.v3 resolves a plain scalar to, for the scalars
// whose type is obvious: words (kinds, names, hosts, paths, flags, images
// by digest, "true", "null"), whole
// numbers, IPv4 addresses and CIDRs, quantities and durations ("100Mi", "24h").
// block allows what a block value may hold besides: spaces between words,
// and colons inside ("image: flomesh/pipy:1.5.5"). ok is false for the rest
// (floats, octal and hex numbers, timestamps, "~", "-1", ".inf", ...).
func plainTag(v string, block bool) (tag string, ok bool) {
	if v == "" {
		return "", false
	}
	switch v {
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return "!!bool", true
	case "null", "Null", "NULL":
		return "!!null", true
	}
	c := v[0]
	// A word starts with a letter, a slash (a path: /healthz) or two
	// dashes and a letter (a command's flag: --port=80).
	word := isLetter(c) || c == '/' || len(v) > 2 && v[0] == '-' && v[1] == '-' && isLetter(v[2])
	letters, dots, slash := false, 0, false
	for i := 0; i < len(v); i++ {
		switch b := v[i]; {
		case b >= '0' && b <= '9':
		case b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z':
			letters = true
		case b == '.':
			dots++
		case b == '/':
			slash = true
		case b == '-' || b == '_' || b == '=' || b == '@':
			if !word {
				return "", false // "1-2", "1_000", "-1", "_x": dates, numbers
			}
		case block && b == ' ':
			if !word || v[i-1] == ' ' {
				return "", false
			}
		case block && b == ':':
			if !word || i == len(v)-1 || v[i+1] == ' ' {
				return "", false
			}
		default:
			return "", false
		}
	}
	switch {
	case word:
		return "!!str", true
	case c < '0' || c > '9':
		return "", false // ".5", ".inf"
	case !letters && dots == 0 && !slash:
		if c == '0' && len(v) > 1 || len(v) > 18 {
			return "", false // octal, a float ("08"), beyond 64 bits (a float)
		}
		return "!!int", true
	case !letters && (slash || dots >= 2):
		return "!!str", true // IPv4 addresses and CIDRs: 10.0.0.0/8, 1.2.3.4
	case letters && !slash && strings.IndexAny(v, "eE") < 0 && !(c == '0' && len(v) > 1 && strings.IndexByte("xXoObB", v[1]) >= 0):
		return "!!str", true // 24h, 100Mi, 1.5s
	}
	return "", false
}
