package source

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// Block is a fenced code block of a Markdown file, or a kubectl command
// quoted inline (`kubectl patch ...` in a sentence or a table).
type Block struct {
	// Lang is the first word of the info string, lower-cased ("" if none).
	Lang string
	// Line is the 1-based line of the block's first content line.
	Line int
	// Body is the block's content.
	Body []byte
	// Inline marks a code span that holds a kubectl command.
	Inline bool
}

// CodeBlocks returns the fenced code blocks of a Markdown document, and the
// code spans that hold a kubectl command, in the order they come. It is
// parsed with a CommonMark parser (goldmark), so that fences inside lists,
// longer fences and tildes behave as GitHub renders them.
func CodeBlocks(src []byte) []Block {
	doc := goldmark.DefaultParser().Parse(text.NewReader(src))
	var blocks []Block
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if cs, ok := n.(*ast.CodeSpan); ok && entering {
			if b, ok := inlineCommand(cs, src); ok {
				blocks = append(blocks, b)
			}
			return ast.WalkSkipChildren, nil
		}
		fb, ok := n.(*ast.FencedCodeBlock)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		b := Block{}
		if fb.Info != nil {
			info := strings.Fields(string(fb.Info.Segment.Value(src)))
			if len(info) > 0 {
				b.Lang = strings.ToLower(strings.Trim(info[0], "{}."))
			}
		}
		lines := fb.Lines()
		if lines.Len() == 0 {
			return ast.WalkContinue, nil
		}
		var body bytes.Buffer
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			body.Write(seg.Value(src))
		}
		b.Line = bytes.Count(src[:lines.At(0).Start], []byte("\n")) + 1
		b.Body = body.Bytes()
		blocks = append(blocks, b)
		return ast.WalkContinue, nil
	})
	return blocks
}

// inlineCommand reads a code span that holds a kubectl command (after a
// "$ " prompt, if any), as one line at the span's line.
func inlineCommand(cs *ast.CodeSpan, src []byte) (Block, bool) {
	var parts []string
	start := -1
	for c := cs.FirstChild(); c != nil; c = c.NextSibling() {
		t, ok := c.(*ast.Text)
		if !ok {
			continue
		}
		if start < 0 {
			start = t.Segment.Start
		}
		parts = append(parts, string(t.Segment.Value(src)))
	}
	// A code span's line endings are spaces (CommonMark).
	cmd := strings.TrimSpace(strings.ReplaceAll(strings.Join(parts, ""), "\n", " "))
	cmd = strings.TrimPrefix(cmd, "$ ")
	if start < 0 || !mentionsKubectl(cmd) {
		return Block{}, false
	}
	if word, _, _ := strings.Cut(cmd, " "); !kubectlNames[word] && word != "kubectl.exe" {
		return Block{}, false
	}
	return Block{Line: bytes.Count(src[:start], []byte("\n")) + 1, Body: []byte(cmd), Inline: true}, true
}

// shellLangs are info strings whose blocks hold commands.
var shellLangs = map[string]bool{"": true, "sh": true, "bash": true, "shell": true, "zsh": true, "console": true, "shell-session": true, "shellsession": true, "terminal": true}

// yamlLangs are info strings whose blocks hold manifests.
var yamlLangs = map[string]bool{"yaml": true, "yml": true, "json": true}

// IsShell reports whether a block holds shell commands: by its info string,
// or a YAML block that starts with a command (kubectl apply -f - <<EOF, as
// documentation writes them under the manifest's language), or a block of
// another label with a line that is a kubectl command (Microsoft's
// azurecli-interactive). PowerShell and cmd blocks are not read: their
// quoting is not the POSIX shell's.
func (b Block) IsShell() bool {
	switch {
	case shellLangs[b.Lang]:
		return !b.IsYAML()
	case yamlLangs[b.Lang]:
		return startsWithCommand(b.Body)
	case otherShells[strings.ToLower(b.Lang)]:
		return false
	}
	return hasKubectlLine(b.Body)
}

// otherShells are labels of shells whose commands a POSIX shell parser
// would misread.
var otherShells = map[string]bool{
	"powershell": true, "pwsh": true, "ps": true, "ps1": true, "posh": true, "azurepowershell": true,
	"azurepowershell-interactive": true, "cmd": true, "bat": true, "batch": true, "dos": true, "fish": true,
}

// hasKubectlLine reports whether a line of body starts with kubectl (after
// a "$ " prompt, if any).
func hasKubectlLine(body []byte) bool {
	for _, l := range strings.Split(string(body), "\n") {
		t := strings.TrimPrefix(strings.TrimSpace(l), "$ ")
		if word, _, _ := strings.Cut(t, " "); word == "kubectl" || word == "kubectl.exe" {
			return true
		}
	}
	return false
}

// IsYAML reports whether a block holds YAML or JSON, by its info string or,
// for a block without one, by looking like a Kubernetes manifest. A block
// that starts with a command is not YAML, whatever it is labelled.
func (b Block) IsYAML() bool {
	if startsWithCommand(b.Body) {
		return false
	}
	if yamlLangs[b.Lang] {
		return true
	}
	return b.Lang == "" && looksLikeManifest(b.Body)
}

// commandWords are the first words of the commands a manifest block may
// start with in documentation.
var commandWords = map[string]bool{"kubectl": true, "cat": true, "echo": true, "printf": true, "export": true, "osm": true, "helm": true}

// startsWithCommand reports whether the first line of body that is neither
// blank nor a comment is a command (after a "$ " prompt, if any).
func startsWithCommand(body []byte) bool {
	for _, l := range strings.Split(string(body), "\n") {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		t = strings.TrimPrefix(t, "$ ")
		word, _, _ := strings.Cut(t, " ")
		return commandWords[word]
	}
	return false
}

func looksLikeManifest(body []byte) bool {
	hasAPI, hasKind := false, false
	for _, l := range strings.Split(string(body), "\n") {
		hasAPI = hasAPI || strings.HasPrefix(l, "apiVersion:")
		hasKind = hasKind || strings.HasPrefix(l, "kind:")
	}
	return hasAPI && hasKind
}

// Commands turns a console transcript into a script: where any line starts with
// a prompt ("$ "), only prompted lines (and their continuations) are commands
// and the rest is output; other blocks are returned unchanged. Output lines
// become blank lines, so line numbers stay true.
func Commands(body []byte) []byte {
	lines := strings.Split(string(body), "\n")
	prompted := false
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimLeft(l, " "), "$ ") {
			prompted = true
			break
		}
	}
	if !prompted {
		return body
	}
	inCmd, delim := false, ""
	for i, l := range lines {
		t := strings.TrimLeft(l, " ")
		switch {
		case delim != "":
			// A here-document typed at the prompt; shells echo "> " before each line.
			lines[i] = strings.TrimPrefix(l, "> ")
			if strings.TrimSpace(lines[i]) == delim {
				delim = ""
			}
		case strings.HasPrefix(t, "$ "):
			lines[i] = t[2:]
			inCmd = strings.HasSuffix(l, "\\")
			delim = heredocDelimiter(lines[i])
		case inCmd:
			inCmd = strings.HasSuffix(l, "\\")
			delim = heredocDelimiter(l)
		default:
			lines[i] = ""
		}
	}
	return []byte(strings.Join(lines, "\n"))
}

// placeholderVar is the shell parameter Placeholders writes for a
// <placeholder>: an expansion, so the scanner takes the word for one it
// cannot read, or for a value it reads only in part.
const placeholderVar = "${MESHGUARD_PLACEHOLDER}"

// Placeholders rewrites the <placeholders> of documentation commands
// (kubectl patch meshconfig osm-mesh-config -n <osm-namespace> -p ...) as
// shell expansions. A shell reads <osm-namespace> as two redirections, which
// would swallow the next word (-p) and with it the patch; as an expansion the
// word is one meshguard cannot read, as with "$osm_namespace". Inside a
// quoted patch ('{"logLevel":"<level>"}') it becomes an expansion too, so the
// patch is checked for its field names only. Only the lines of a kubectl
// command are rewritten (with its continuations and quotes that span
// lines): a here-document's YAML keeps its text.
func Placeholders(body []byte) []byte {
	lines := strings.Split(string(body), "\n")
	inCmd := false
	var quote byte
	for i, l := range lines {
		if !inCmd && !mentionsKubectl(l) {
			continue
		}
		lines[i], quote = replacePlaceholders(l, quote)
		inCmd = quote != 0 || strings.HasSuffix(strings.TrimRight(l, " \t"), "\\")
	}
	return []byte(strings.Join(lines, "\n"))
}

// mentionsKubectl reports whether a line may hold a kubectl command: it names
// kubectl, or a word of it is one of the other names call reads as kubectl.
func mentionsKubectl(line string) bool {
	if strings.Contains(line, "kubectl") {
		return true
	}
	for _, w := range strings.Fields(line) {
		if kubectlNames[w] {
			return true
		}
	}
	return false
}

// replacePlaceholders rewrites each <placeholder> of line (a letter, then
// letters, digits, '_', '-' or '.', in angle brackets, standing alone, as a
// flag's value or as a JSON value) as placeholderVar, quoted to suit where
// it stands. quote is the quote open at the start of the line; the one
// open at its end is returned. A comment ends the line.
func replacePlaceholders(line string, quote byte) (string, byte) {
	var b strings.Builder
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c == '<' {
			if end, ok := placeholderAt(line, i); ok {
				switch quote {
				case '\'':
					b.WriteString(`'"` + placeholderVar + `"'`)
				case '"':
					b.WriteString(placeholderVar)
				default:
					b.WriteString(`"` + placeholderVar + `"`)
				}
				i = end
				continue
			}
		}
		b.WriteByte(c)
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			}
		case c == '\\' && i+1 < len(line):
			i++
			b.WriteByte(line[i])
		case quote == '"':
			if c == '"' {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			b.WriteString(line[i+1:])
			return b.String(), 0
		}
	}
	return b.String(), quote
}

// placeholderAt reports whether a <placeholder> starts at line[i], and where
// its '>' is.
func placeholderAt(line string, i int) (int, bool) {
	if i > 0 && !strings.ContainsRune(" \t=\"':,[{(", rune(line[i-1])) {
		return 0, false
	}
	j := i + 1
	for j < len(line) && (isLetter(line[j]) || j > i+1 && (line[j] >= '0' && line[j] <= '9' || strings.IndexByte("_-.", line[j]) >= 0)) {
		j++
	}
	if j == i+1 || j >= len(line) || line[j] != '>' {
		return 0, false
	}
	if j+1 < len(line) && !strings.ContainsRune(" \t;|&\"',}])\\", rune(line[j+1])) {
		return 0, false
	}
	return j, true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// heredocDelimiter returns the delimiter of a here-document a command line
// opens (<<EOF, <<-'EOF', << "EOF"), or "".
func heredocDelimiter(line string) string {
	i := strings.Index(line, "<<")
	if i < 0 || strings.HasPrefix(line[i:], "<<<") {
		return ""
	}
	rest := strings.TrimLeft(strings.TrimPrefix(line[i+2:], "-"), " ")
	end := strings.IndexAny(rest, " \t|;&)")
	if end >= 0 {
		rest = rest[:end]
	}
	return strings.Trim(rest, `'"`)
}
