package source

import (
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

// A generator of YAML streams near the plain subset's edges: random
// indentation, sequences at a key's indent and deeper, compact mappings,
// comments and blank lines anywhere, every separator form, long keys, and
// scalars of every kind; then random edits of characters and lines. It
// feeds TestPlainYAMLGenerated and seeds FuzzPlainYAML with streams the
// plain parser takes, so that the fuzzer mutates those rather than bytes
// it mostly refuses.

var genScalars = []string{
	"b", "two words", "a b c", "image:tag", "http://x.io/y", "b:c", "a-b_c.d/e", "x -y", "x :y", "a:b:c",
	"-1", "+1", ".5", "~", "-", "true", "False", "NULL", "null", "Null", "yes", "on", "tRUE", "nULL",
	"0", "00", "007", "08", "1", "42", "999999999999999999", "9223372036854775807", "1_000",
	"0x1F", "0o17", "0b101", "0b", "0x", "0f", "1f", "0B1", "0a", "0z", "00x1", "0.", "0/1",
	"1e3", "5E3", "3e", "1.5", "1.", "1.2.3", "0e5", "1.5e3h", "1..2", "1.2.", "1./",
	"10.0.0.0/8", "1.2.3.4", "1/2", "1-2", "2001-12-14", "12:30", "1:20",
	"24h", "100Mi", "1.5s", "12h30m", "1d", "123abc", "1x", "5ei", "1p3", "1i", "1n", "1_a",
	".inf", ".NaN", "NaN", "Infinity", "inf", "e5", "E5", "n", "y", "Y", "N", "o", "O", "t", "f", "T", "F",
	"'x'", "\"y\"", "'it''s'", "\"a\\tb\"", "''", "\"\"", "'a # b'", "\"a: b\"", "' lead'", "'trail '", "\"a'b\"", "'a\"b'", "' '", "\"#\"",
	"[]", "{}", "[a]", "[a, b]", "[a,b]", "{a: b}", "{a: b, c: d}", "[{a: 1}, [2]]", "[ a , b ]", "{ a: [ ] }", "['a', \"b\"]", "{'a': 'b'}", "[1, 2.5]", "[-1]", "[a b]",
	"{a: b,c: d}", "[a, [b, [c]]]", "{\"k\": v}", "[true, null, 0, 1.2.3]",
	"a#b", "a #b", "b  #c", "b#", "b :", "b: ", "[a] #x", "'x' #y", "\"y\"#z",
}

var genKeys = []string{"a", "b", "c", "apiVersion", "kind", "x.y/z", "a-b", "a_b", "1", "80", "true", "null", "'q'", "\"dq\"", "'a: b'", "\"a # b\"", "A", "0", "1.2.3", "10.0.0.0/8", "24h", "Null", "FALSE"}

type gen struct {
	r    *rand.Rand
	b    strings.Builder
	keyN int
}

var safeScalars = []string{"b", "two words", "image:tag", "http://x.io/y", "1", "42", "true", "null", "'x'", "\"y\"", "[a, b]", "{a: b}", "[]", "{}", "10.0.0.0/8", "24h", "1.5s", "a-b", "[{a: 1, b: [c]}]", "''", "' sp '"}

func (g *gen) scalar() string {
	if g.r.Intn(5) == 0 {
		return g.pick(genScalars)
	}
	return g.pick(safeScalars)
}

func (g *gen) pick(s []string) string { return s[g.r.Intn(len(s))] }

func (g *gen) key() string {
	switch g.r.Intn(20) {
	case 0:
		return strings.Repeat("k", 995+g.r.Intn(35))
	case 1:
		g.keyN++
		return "'" + strings.Repeat("q", 990+g.r.Intn(40)) + strconv.Itoa(g.keyN) + "'"
	}
	if g.r.Intn(3) == 0 {
		return g.pick(genKeys)
	}
	g.keyN++
	return "k" + strconv.Itoa(g.keyN)
}

func (g *gen) junk() string {
	out := ""
	for g.r.Intn(3) == 0 {
		switch g.r.Intn(6) {
		case 0:
			out += "#\n"
		case 1:
			out += strings.Repeat(" ", g.r.Intn(10)) + "# c\n"
		case 2:
			out += strings.Repeat(" ", g.r.Intn(10)) + "\n"
		case 3:
			out += "\n"
		case 4:
			out += strings.Repeat(" ", g.r.Intn(10)) + "#- x: y\n"
		case 5:
			out += "#---\n"
		}
	}
	return out
}

func (g *gen) sp() string {
	if g.r.Intn(8) == 0 {
		return strings.Repeat(" ", 1+g.r.Intn(3))
	}
	return ""
}

func (g *gen) tail() string {
	switch g.r.Intn(10) {
	case 0:
		return " # t"
	case 1:
		return "  "
	case 2:
		return " #"
	}
	return ""
}

func (g *gen) mapping(indent int, depth int, first string) {
	n := 1 + g.r.Intn(4)
	for i := 0; i < n; i++ {
		g.b.WriteString(g.junk())
		if i == 0 && first != "" {
			g.b.WriteString(first)
		} else {
			g.b.WriteString(strings.Repeat(" ", indent))
		}
		g.b.WriteString(g.key() + ":")
		g.value(indent, depth)
	}
}

func (g *gen) value(indent, depth int) {
	k := g.r.Intn(10)
	if depth > 4 {
		k = 0
	}
	switch {
	case k < 5:
		g.b.WriteString(" " + g.sp() + g.scalar() + g.tail() + "\n")
	case k < 7:
		g.b.WriteString(g.tail() + "\n")
		g.mapping(indent+1+g.r.Intn(3), depth+1, "")
	case k < 8:
		g.b.WriteString(g.tail() + "\n")
		g.sequence(indent, depth+1)
	default:
		g.b.WriteString(g.tail() + "\n")
		g.sequence(indent+1+g.r.Intn(3), depth+1)
	}
}

func (g *gen) sequence(indent, depth int) {
	n := 1 + g.r.Intn(3)
	for i := 0; i < n; i++ {
		g.b.WriteString(g.junk())
		pre := strings.Repeat(" ", indent) + "-" + strings.Repeat(" ", 1+g.r.Intn(3))
		if g.r.Intn(3) == 0 && depth <= 4 {
			g.mapping(len(pre), depth+1, pre)
		} else {
			g.b.WriteString(pre + g.scalar() + g.tail() + "\n")
		}
	}
}

func (g *gen) stream() string {
	g.b.Reset()
	g.keyN = 0
	docs := 1 + g.r.Intn(3)
	for d := 0; d < docs; d++ {
		if d > 0 || g.r.Intn(3) == 0 {
			g.b.WriteString([]string{"---\n", "--- \n", "--- # s\n", "---  #s\n", "---\n\n"}[g.r.Intn(5)])
		}
		g.b.WriteString(g.junk())
		if g.r.Intn(6) != 0 {
			g.mapping(g.r.Intn(2)*2, 0, "")
		}
	}
	g.b.WriteString(g.junk())
	s := g.b.String()
	if g.r.Intn(5) == 0 && strings.HasSuffix(s, "\n") {
		s = s[:len(s)-1]
	}
	return s
}

func (g *gen) mutate(s string) string {
	if len(s) == 0 {
		return s
	}
	n := g.r.Intn(3)
	for i := 0; i < n; i++ {
		p := g.r.Intn(len(s))
		switch g.r.Intn(4) {
		case 0:
			s = s[:p] + s[p+1:]
		case 1, 2:
			const cs = " -:#'\"[]{},\n.0a?&*!|>%~"
			c := string(cs[g.r.Intn(len(cs))])
			s = s[:p] + c + s[p:]
		case 3:
			s = s[:p] + " " + s[p:]
		}
		if len(s) == 0 {
			return s
		}
	}
	return s
}

// TestPlainYAMLGenerated holds the plain parser to yaml.v3 on generated
// streams (a fixed seed: the same streams every run).
func TestPlainYAMLGenerated(t *testing.T) {
	g := &gen{r: rand.New(rand.NewSource(1))}
	taken := 0
	const streams = 5000
	for i := 0; i < streams && !t.Failed(); i++ {
		s := g.stream()
		switch g.r.Intn(4) {
		case 0:
			s = g.mutate(s)
		case 1, 2:
			s = g.lineMutate(s)
		}
		if checkPlain(t, "generated stream "+strconv.Itoa(i), []byte(s)) {
			taken++
		}
	}
	if taken < streams/10 {
		t.Errorf("the plain parser took %d of %d generated streams: the generator no longer exercises it", taken, streams)
	}
}

// plainSeeds are generated streams the plain parser takes.
func plainSeeds(n int) []string {
	g := &gen{r: rand.New(rand.NewSource(99))}
	var out []string
	for len(out) < n {
		if s := g.stream(); func() bool { _, ok := plainDocuments([]byte(s)); return ok }() {
			out = append(out, s)
		}
	}
	return out
}

func (g *gen) lineMutate(s string) string {
	lines := strings.Split(s, "\n")
	n := 1 + g.r.Intn(2)
	for k := 0; k < n && len(lines) > 0; k++ {
		i := g.r.Intn(len(lines))
		switch g.r.Intn(7) {
		case 0:
			lines[i] = " " + lines[i]
		case 1:
			lines[i] = "  " + lines[i]
		case 2:
			lines[i] = strings.TrimPrefix(lines[i], " ")
		case 3:
			lines[i] = strings.TrimPrefix(lines[i], "  ")
		case 4:
			lines = append(lines[:i], lines[i+1:]...)
		case 5:
			j := g.r.Intn(len(lines))
			lines[i], lines[j] = lines[j], lines[i]
		case 6:
			lines = append(lines[:i+1], lines[i:]...)
		}
	}
	return strings.Join(lines, "\n")
}
