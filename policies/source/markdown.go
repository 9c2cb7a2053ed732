package source

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// Block is a fenced code block of a Markdown file.
type Block struct {
	// Lang is the first word of the info string, lower-cased ("" if none).
	Lang string
	// Line is the 1-based line of the block's first content line.
	Line int
	// Body is the block's content.
	Body []byte
}

// CodeBlocks returns the fenced code blocks of a Markdown document, parsed
// with a CommonMark parser (goldmark), so that fences inside lists, longer
// fences and tildes behave as GitHub renders them.
func CodeBlocks(src []byte) []Block {
	doc := goldmark.DefaultParser().Parse(text.NewReader(src))
	var blocks []Block
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
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

// shellLangs are info strings whose blocks hold commands.
var shellLangs = map[string]bool{"": true, "sh": true, "bash": true, "shell": true, "zsh": true, "console": true, "shell-session": true, "shellsession": true, "terminal": true}

// yamlLangs are info strings whose blocks hold manifests.
var yamlLangs = map[string]bool{"yaml": true, "yml": true, "json": true}

// IsShell reports whether a block holds shell commands.
func (b Block) IsShell() bool { return shellLangs[b.Lang] }

// IsYAML reports whether a block holds YAML or JSON, by its info string or,
// for a block without one, by looking like a Kubernetes manifest.
func (b Block) IsYAML() bool {
	if yamlLangs[b.Lang] {
		return true
	}
	return b.Lang == "" && looksLikeManifest(b.Body)
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
