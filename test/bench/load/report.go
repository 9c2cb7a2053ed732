package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// report: the "Webhook" section of docs/benchmarks.md, from the JSON lines
// the other subcommands wrote into -dir and the go test output, with the
// goals of the issue judged against the figures (never asserted in a test).

const (
	goalFixedRate  = 2000.0 // req/s at which meshguard's p99 ...
	goalFixedP99   = 1.0    // ... is at most this many ms
	goalStepP99    = 5.0    // the highest rate is the highest with p99 at most this
	goalRateRatio  = 3.0    // meshguard's highest rate / OPA's, at least
	goalCreates    = 1.10   // creates with the webhook / without, at most
	goalRules10x   = 1.5    // latency with 10x the rules / with the rules, at most
	goalSoakRSSPct = 5.0    // the soak's second-half median RSS above its first half's, at most (%)
	goalSustainP99 = 50.0   // a rate is sustainable when kept up with at a p99 of at most this (ms)
)

// bestCmd prints the rates to try a target's soak at, best first (see
// soakRates), at most -max of them, on one line.
func bestCmd(args []string) error {
	fs := flag.NewFlagSet("best", flag.ExitOnError)
	path := fs.String("steps", "", "JSON lines of load run -pass-p99")
	target := fs.String("target", "meshguard", "the target")
	most := fs.Int("max", 3, "at most this many rates")
	_ = fs.Parse(args)
	steps, err := readLines[stepResult](*path)
	if err != nil {
		return err
	}
	rates, why := soakRates(steps, *target)
	if len(rates) == 0 {
		return fmt.Errorf("no step of %s in %s", *target, *path)
	}
	rates = rates[:min(len(rates), *most)]
	out := make([]string, len(rates))
	for i, r := range rates {
		out[i] = strconv.FormatFloat(r, 'f', -1, 64)
	}
	fmt.Fprintf(os.Stderr, "%s: %s/s: %s\n", *target, strings.Join(out, ", "), why)
	fmt.Println(strings.Join(out, " "))
	return nil
}

// highest is the highest rate of a target's steps that ok accepts, and that step.
func highest(steps []stepResult, target string, ok func(stepResult) bool) (float64, *stepResult) {
	var rate float64
	var at *stepResult
	for i, r := range steps {
		if r.Target == target && ok(r) && r.Rate > rate {
			rate, at = r.Rate, &steps[i]
		}
	}
	return rate, at
}

func passed(r stepResult) bool { return r.Pass != nil && *r.Pass }

func keptUp(r stepResult) bool { return r.KeptUp != nil && *r.KeptUp }

// soakRates are the candidate sustainable rates, highest first: the rates the
// server kept up with while its p99 stayed within goalSustainP99 (a queue that
// does not build up); else those it kept up with; else the lowest measured.
// The script soaks at the first and steps down to the next when the soak does
// not keep up: a single short step near saturation can keep up by chance.
func soakRates(steps []stepResult, target string) ([]float64, string) {
	collect := func(ok func(stepResult) bool) []float64 {
		var out []float64
		for _, r := range steps {
			if r.Target == target && ok(r) {
				out = append(out, r.Rate)
			}
		}
		sort.Sort(sort.Reverse(sort.Float64Slice(out)))
		return out
	}
	if rs := collect(func(r stepResult) bool { return keptUp(r) && r.P99 <= goalSustainP99 }); len(rs) > 0 {
		return rs, fmt.Sprintf("rates of (b) it kept up with at a p99 of at most %.0f ms", goalSustainP99)
	}
	if rs := collect(keptUp); len(rs) > 0 {
		return rs, fmt.Sprintf("rates of (b) it kept up with; none had a p99 of at most %.0f ms", goalSustainP99)
	}
	var lowest float64
	for _, r := range steps {
		if r.Target == target && (lowest == 0 || r.Rate < lowest) {
			lowest = r.Rate
		}
	}
	if lowest == 0 {
		return nil, ""
	}
	return []float64{lowest}, "the lowest rate measured; it kept up with none"
}

type facts struct {
	dir, commands, machine, notes string
}

func reportCmd(args []string) error {
	var f facts
	fs := flag.NewFlagSet("report", flag.ExitOnError)
	fs.StringVar(&f.dir, "dir", "", "directory of fixed.jsonl, steps.jsonl, soak.jsonl, creates.jsonl, gobench.txt")
	fs.StringVar(&f.machine, "machine", "", "markdown list of the machine's facts")
	fs.StringVar(&f.commands, "commands", "", "file holding the commands run, shown verbatim")
	fs.StringVar(&f.notes, "notes", "", "file holding extra lines for the results (may be missing)")
	_ = fs.Parse(args)
	if f.dir == "" {
		return errors.New("-dir is required")
	}
	s, err := f.section()
	if err != nil {
		return err
	}
	_, err = os.Stdout.WriteString(s)
	return err
}

func readLines[T any](path string) ([]T, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var out []T
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, v)
	}
	return out, sc.Err()
}

type goBench struct {
	name                string
	ns, bytes, allocs   float64
	line                string
	hasBytes, hasAllocs bool
}

func readGoBench(path string) (map[string]goBench, []goBench, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	m := map[string]goBench{}
	var order []goBench
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		g := goBench{name: f[0], line: line}
		if i := strings.LastIndexByte(g.name, '-'); i > 0 {
			g.name = g.name[:i]
		}
		for i := 2; i < len(f); i++ {
			v, _ := strconv.ParseFloat(f[i-1], 64)
			switch f[i] {
			case "ns/op":
				g.ns = v
			case "B/op":
				g.bytes, g.hasBytes = v, true
			case "allocs/op":
				g.allocs, g.hasAllocs = v, true
			}
		}
		m[g.name] = g
		order = append(order, g)
	}
	return m, order, nil
}

func metStr(ok bool) string {
	if ok {
		return "met"
	}
	return "not met"
}

func (f facts) section() (string, error) {
	fixed, err := readLines[stepResult](filepath.Join(f.dir, "fixed.jsonl"))
	if err != nil {
		return "", err
	}
	steps, err := readLines[stepResult](filepath.Join(f.dir, "steps.jsonl"))
	if err != nil {
		return "", err
	}
	soak, err := readLines[stepResult](filepath.Join(f.dir, "soak.jsonl"))
	if err != nil {
		return "", err
	}
	creates, err := readLines[createsResult](filepath.Join(f.dir, "creates.jsonl"))
	if err != nil {
		return "", err
	}
	bench, benchOrder, err := readGoBench(filepath.Join(f.dir, "gobench.txt"))
	if err != nil {
		return "", err
	}
	var w strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&w, format, args...) }

	p("<!-- webhook-bench:start -->\n## Webhook\n\n")
	p("Written by test/bench/webhook.sh; rerun it to refresh this section (it replaces only\n")
	p("the lines between the webhook-bench markers). meshguard and a stock OPA serving the\n")
	p("same rules are measured in the same run, on the same machine, with the same client\n")
	p("and the same Egress request, so the ratios are the result, not the absolute times.\n\n")

	p("### Results\n\n")
	var mgFixed, opaFixed *stepResult
	for i := range fixed {
		switch fixed[i].Target {
		case "meshguard":
			mgFixed = &fixed[i]
		case "opa":
			opaFixed = &fixed[i]
		}
	}
	if mgFixed != nil {
		ok := mgFixed.Errors == 0 && mgFixed.Aborted == "" && mgFixed.P99 <= goalFixedP99
		p("- Goal \"p99 at most %.0f ms at %s requests/s\": **%s**: meshguard p50 %s ms, p99 **%s ms**%s.\n",
			goalFixedP99, thousands(goalFixedRate), metStr(ok), ms(mgFixed.P50), ms(mgFixed.P99), outcome(*mgFixed))
		if opaFixed != nil {
			p("  OPA at the same rate: p50 %s ms, p99 %s ms%s.\n", ms(opaFixed.P50), ms(opaFixed.P99), outcome(*opaFixed))
		}
	}
	mgBest, mgAt := highest(steps, "meshguard", passed)
	opaBest, opaAt := highest(steps, "opa", passed)
	switch {
	case mgBest > 0 && opaBest > 0:
		ratio := mgBest / opaBest
		p("- Goal \"highest rate with p99 at most %.0f ms at least %.0fx OPA's\": **%s** (%.2fx): meshguard **%s/s** (p99 %s ms there), OPA **%s/s** (p99 %s ms there).\n",
			goalStepP99, goalRateRatio, metStr(ratio >= goalRateRatio), ratio, thousands(mgBest), ms(mgAt.P99), thousands(opaBest), ms(opaAt.P99))
	case mgBest > 0:
		lowest := lowestStep(steps, "opa")
		p("- Goal \"highest rate with p99 at most %.0f ms at least %.0fx OPA's\": **not shown**: meshguard **%s/s** (p99 %s ms there); OPA had a p99 above %.0f ms at every rate measured (%s ms at %s/s, the lowest), so its rate and the ratio lie below what was measured.\n",
			goalStepP99, goalRateRatio, thousands(mgBest), ms(mgAt.P99), goalStepP99, ms(lowest.P99), thousands(lowest.Rate))
	default:
		p("- Goal \"highest rate with p99 at most %.0f ms at least %.0fx OPA's\": **not met**: meshguard had a p99 above %.0f ms at every rate measured (OPA: %s).\n",
			goalStepP99, goalRateRatio, goalStepP99, map[bool]string{true: "up to " + thousands(opaBest) + "/s within it", false: "the same"}[opaBest > 0])
	}
	mgCeil, mgCeilAt := highest(steps, "meshguard", keptUp)
	opaCeil, opaCeilAt := highest(steps, "opa", keptUp)
	if mgCeil > 0 && opaCeil > 0 {
		p("  The highest rate each kept up with (no error, at least 97%% of the rate answered): meshguard %s/s (p50 %s ms, p99 %s ms, %.2f ms of server CPU per request), OPA %s/s (p50 %s ms, p99 %s ms, %.2f ms CPU per request): %.2fx.\n",
			thousands(mgCeil), ms(mgCeilAt.P50), ms(mgCeilAt.P99), mgCeilAt.ServerCPUms, thousands(opaCeil), ms(opaCeilAt.P50), ms(opaCeilAt.P99), opaCeilAt.ServerCPUms, mgCeil/opaCeil)
	}
	var with, without []float64
	unjudged, failed := 0, 0
	for _, c := range creates {
		failed += c.Errors
		if c.Webhook {
			with = append(with, c.Seconds)
			unjudged += c.Creates - c.Warned
		} else {
			without = append(without, c.Seconds)
		}
	}
	if len(with) > 0 && len(without) > 0 {
		r := median(with) / median(without)
		p("- Goal \"%s Egress creates through kube-apiserver with the webhook at most %.2fx the time without\": **%s** (%.2fx): %.2f s with, %.2f s without (median of %d rounds each, one create at a time)",
			thousands(float64(creates[0].Creates)), goalCreates, metStr(r <= goalCreates), r, median(with), median(without), len(with))
		if unjudged > 0 {
			p("; **%d creates of the registered runs came back without meshguard's warning**: the API server got no verdict for them (failurePolicy Ignore)", unjudged)
		}
		if failed > 0 {
			p("; **%d creates failed**", failed)
		}
		p(".\n")
	}
	if b1, ok1 := bench["BenchmarkValidator"]; ok1 {
		if b10, ok10 := bench["BenchmarkValidatorRules10x"]; ok10 {
			r := b10.ns / b1.ns
			p("- Goal \"10x the rules at most %.1fx the latency\": **%s** (%.2fx): the handler in-process takes %s µs per request with the rules, %s µs with ten times as many",
				goalRules10x, metStr(r <= goalRules10x), r, us(b1.ns), us(b10.ns))
			if e1, ok := bench["BenchmarkEvaluate"]; ok {
				if e10, ok := bench["BenchmarkEvaluateRules10x"]; ok {
					p(" (the engine alone: %.2fx, %s µs against %s µs)", e10.ns/e1.ns, us(e1.ns), us(e10.ns))
				}
			}
			p(".\n")
		}
	}
	if len(soak) > 0 {
		s := soak[len(soak)-1]
		first, second := halves(s.RSSSamples)
		growth := 0.0
		if first > 0 {
			growth = (float64(second) - float64(first)) * 100 / float64(first)
		}
		kept := keptUp(s)
		ok := s.Errors == 0 && s.Aborted == "" && s.Sent == s.Planned && kept && len(s.RSSSamples) >= 4 && growth <= goalSoakRSSPct
		_, class := soakRates(steps, "meshguard")
		why := "the highest of the " + class
		if strings.HasPrefix(class, "the lowest") {
			why = class
		}
		if len(soak) > 1 {
			var tried []string
			for _, t := range soak[:len(soak)-1] {
				tried = append(tried, thousands(t.Rate)+"/s")
			}
			why = fmt.Sprintf("the next of the %s, after %s, where it did not keep up for the whole run", class, strings.Join(tried, " and "))
		}
		p("- Goal \"%s requests at the highest sustainable rate with zero errors, memory that stops growing\": **%s**: %s requests at %s/s (%s), %d errors, %s, p99 %s ms; meshguard's RSS %s MiB before, a median of %s MiB over the first half of the run and %s MiB over the second (%+.1f%%; met means at most +%.0f%%; %s to %s MiB over all samples), %s MiB right after and %s MiB %s later.\n",
			thousands(float64(s.Planned)), metStr(ok), thousands(float64(s.Sent)), thousands(s.Rate), why, s.Errors,
			map[bool]string{true: "kept up", false: fmt.Sprintf("**did not keep up** (%s/s answered)", thousands(s.Achieved))}[kept], ms(s.P99),
			mib(s.RSSBefore), mib(first), mib(second), growth, goalSoakRSSPct, mib(minInt(s.RSSSamples)), mib(maxInt(s.RSSSamples)),
			mib(s.RSSAfter), mib(soakLater(f.dir)), soakLaterWhen(f.dir))
	}
	if f.notes != "" {
		if b, err := os.ReadFile(f.notes); err == nil && len(strings.TrimSpace(string(b))) > 0 {
			p("%s\n", strings.TrimRight(string(b), "\n"))
		}
	}

	p("\n### At a fixed rate\n\n")
	p("Open loop at %s requests/s; latency from each request's due time to the end of its answer.\n\n", thousands(goalFixedRate))
	stepTable(&w, fixed)

	p("\n### Rate steps\n\n")
	p("The rates in turn, meshguard then OPA at each, each target until a step it did not keep up\n")
	p("with (an error, cut short, or under 97%% of the rate answered); a step passes with no error\n")
	p("and p99 at most %.0f ms. One %s step per rate: near saturation a step keeps up or not by\n", goalStepP99, stepLength(steps))
	p("chance (a burst of other work, a GC cycle), so the ceiling moves by a step or two between\n")
	p("runs; the server CPU per request is the steadier figure to compare.\n\n")
	sorted := append([]stepResult(nil), steps...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Target < sorted[j].Target })
	stepTable(&w, sorted)

	if len(soak) > 0 {
		last := soak[len(soak)-1]
		p("\n### %s requests\n\n", thousands(float64(last.Planned)))
		stepTable(&w, soak)
		p("\nmeshguard's VmRSS (KiB) sampled every second during the run at %s/s: %s.\n", thousands(last.Rate), joinInts(last.RSSSamples))
	}

	if len(creates) > 0 {
		p("\n### Egress creates through kube-apiserver\n\n")
		p("| round | webhook | creates | seconds | creates/s | p50 ms | p99 ms | max ms | with meshguard's warning | meshguard CPU s |\n")
		p("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
		for _, c := range creates {
			p("| %d | %s | %d | %.2f | %.0f | %.2f | %.2f | %.2f | %d | %.2f |\n", c.Round, map[bool]string{true: "registered", false: "deleted"}[c.Webhook],
				c.Creates, c.Seconds, c.PerSecond, c.P50, c.P99, c.Max, c.Warned, c.MeshguardS)
		}
	}

	if pi, ok := bench["BenchmarkPrepareInventory1000"]; ok && len(creates) > 0 {
		// meshguard's CPU per create and its share of one CPU, by webhook state.
		var cpu, secs, n [2]float64
		for _, c := range creates {
			i := 0
			if c.Webhook {
				i = 1
			}
			cpu[i] += c.MeshguardS
			secs[i] += c.Seconds
			n[i] += float64(c.Creates)
		}
		p("\nmeshguard rebuilds its whole cluster view after every change to a watched object\n")
		p("(webhook.ClusterInventory: a burst of changes coalesces into one rebuild at a time); each\n")
		p("rebuild lists every Egress and builds the index, %.1f ms of CPU with 1,000 policies\n", pi.ns/1e6)
		p("(BenchmarkPrepareInventory1000, below).")
		if n[0] > 0 && secs[0] > 0 && cpu[0] > 0 {
			p(" Without the webhook registered, where meshguard only follows the changes,\n")
			p("its process used %.2f ms of CPU per create (%.0f%% of one CPU over the runs).", 1000*cpu[0]/n[0], 100*cpu[0]/secs[0])
		}
		if n[1] > 0 && secs[1] > 0 && cpu[1] > 0 {
			p(" With it registered, verdicts and rebuilds used %.2f ms\n", 1000*cpu[1]/n[1])
			p("per create (%.0f%% of one CPU), on the same CPUs as the API server and etcd.", 100*cpu[1]/secs[1])
		}
		p("\n")
	}

	p("\n### In-process handler and rules scaling\n\n")
	p("| benchmark | µs/op | KiB/op | allocs/op |\n| --- | ---: | ---: | ---: |\n")
	for _, g := range benchOrder {
		p("| %s | %s | %.1f | %.0f |\n", g.name, us(g.ns), g.bytes/1024, g.allocs)
	}
	p("\nValidator is one AdmissionReview through the handler `meshguard serve` registers\n")
	p("(StatusCodes, controller-runtime's admission.Webhook, Validator with metrics), from the\n")
	p("body's bytes to the answer's; Parallel runs one per CPU at once, so its µs/op is the\n")
	p("wall time per request on the whole machine (the handler's ceiling here, before HTTPS and\n")
	p("a client take their share). Rules10x loads nine generated copies of every rule beside\n")
	p("the originals, each under its own package and code, so each copy is evaluated and\n")
	p("reports its own finding (10 warnings instead of 1: the benchmark checks it). rego/main\n")
	p("evaluates only the rule groups for the object's kind (general, crossresource and egress\n")
	p("for an Egress), so rules for other kinds cost an Egress nothing; the copies here all apply.\n")

	p("\n### Machine\n\n%s\n", strings.TrimRight(f.machine, "\n"))

	p("\n### How it is measured\n\n")
	if f.commands != "" {
		b, err := os.ReadFile(f.commands)
		if err != nil {
			return "", err
		}
		p("%s\n", strings.TrimRight(string(b), "\n"))
	}
	p("\n```\n")
	for _, g := range benchOrder {
		p("%s\n", g.line)
	}
	p("```\n<!-- webhook-bench:end -->\n")
	return w.String(), nil
}

func stepTable(w *strings.Builder, rs []stepResult) {
	fmt.Fprintf(w, "| target | rate/s | sent | errors | p50 ms | p90 ms | p99 ms | max ms | achieved/s | server CPU ms/req | client CPU s | new conns | send lag p99 ms | p99 ≤ %.0f ms | kept up |\n", goalStepP99)
	fmt.Fprintf(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |\n")
	for _, r := range rs {
		yes := map[bool]string{true: "yes", false: "no"}
		pass, kept := "", ""
		if r.Pass != nil {
			pass = yes[*r.Pass]
		}
		if r.KeptUp != nil {
			kept = yes[*r.KeptUp]
		}
		if r.Aborted != "" {
			kept += " (cut short: " + r.Aborted + ")"
		}
		name := r.Target
		if r.Label != "" {
			name += " (" + r.Label + ")"
		}
		fmt.Fprintf(w, "| %s | %s | %d | %d | %s | %s | %s | %s | %s | %.3f | %.2f | %d | %s | %s | %s |\n",
			name, thousands(r.Rate), r.Sent, r.Errors, ms(r.P50), ms(r.P90), ms(r.P99), ms(r.Max), thousands(r.Achieved),
			r.ServerCPUms, r.ClientCPU, r.NewConns, ms(r.SendLagP99), pass, strings.TrimSpace(kept))
	}
	for _, r := range rs {
		if r.FirstError != "" {
			fmt.Fprintf(w, "\n%s at %s/s, first error: `%s`\n", r.Target, thousands(r.Rate), strings.ReplaceAll(r.FirstError, "`", "'"))
		}
	}
}

// lowestStep is a target's step at its lowest rate.
func lowestStep(steps []stepResult, target string) stepResult {
	var low stepResult
	for _, r := range steps {
		if r.Target == target && (low.Rate == 0 || r.Rate < low.Rate) {
			low = r
		}
	}
	return low
}

// stepLength is the length of the steps, from their planned count and rate.
func stepLength(steps []stepResult) string {
	if len(steps) == 0 || steps[0].Rate == 0 {
		return "short"
	}
	return fmt.Sprintf("%.0f s", float64(steps[0].Planned)/steps[0].Rate)
}

func outcome(r stepResult) string {
	s := fmt.Sprintf(" (%d requests, %d errors, achieved %s/s", r.Sent, r.Errors, thousands(r.Achieved))
	if r.Aborted != "" {
		s += "; aborted: " + r.Aborted
	}
	return s + ")"
}

// halves returns the median sample of the first and of the second half: a
// GC cycle moves a single sample by several MiB either way, a leak moves the
// median.
func halves(samples []int64) (int64, int64) {
	if len(samples) < 2 {
		return 0, 0
	}
	med := func(v []int64) int64 {
		s := append([]int64(nil), v...)
		sortInts(s)
		return s[len(s)/2]
	}
	return med(samples[:len(samples)/2]), med(samples[len(samples)/2:])
}

// soakLater is the RSS the script read some time after the soak (rss-later.txt: "KiB seconds").
func soakLater(dir string) int64 {
	b, _ := os.ReadFile(filepath.Join(dir, "rss-later.txt"))
	f := strings.Fields(string(b))
	if len(f) < 1 {
		return 0
	}
	v, _ := strconv.ParseInt(f[0], 10, 64)
	return v
}

func soakLaterWhen(dir string) string {
	b, _ := os.ReadFile(filepath.Join(dir, "rss-later.txt"))
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return "some time"
	}
	return f[1] + " s"
}

func minInt(v []int64) int64 {
	if len(v) == 0 {
		return 0
	}
	m := v[0]
	for _, x := range v {
		m = min(m, x)
	}
	return m
}

func maxInt(v []int64) int64 {
	var m int64
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func us(ns float64) string { return fmt.Sprintf("%.0f", ns/1000) }

func mib(kib int64) string { return fmt.Sprintf("%.1f", float64(kib)/1024) }

func thousands(v float64) string {
	s := strconv.FormatInt(int64(v+0.5), 10)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

func joinInts(v []int64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatInt(x, 10)
	}
	return strings.Join(s, ", ")
}
