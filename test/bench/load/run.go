package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// run: open-loop load at fixed rates.
//
// Request i of a step is due at start + i/rate, whatever happened to the ones
// before it (open loop: a slow answer does not delay the next send), and its
// latency is measured from that due time to the end of its answer's body, so
// a request that waits for a free connection or for the dispatcher counts the
// wait (no coordinated omission, as wrk2 measures). The dispatcher sleeps on
// a locked OS thread with nanosleep and a 1 ns timer slack: Go's own timers
// wake up to a millisecond late when the process is idle, which would add up
// to 1 ms to every figure. How late the dispatcher sent (send lag) is reported
// with each step, so a client that could not keep up shows.

type runConfig struct {
	url, ca, body, target, expect, out string
	label                              string
	rates                              []float64
	n                                  int
	duration, warmup, pause, timeout   time.Duration
	warmupRate                         float64
	grace, passP99, rssEvery           time.Duration
	conns, maxInflight, refine         int
	http2, show, stopSaturated         bool
	pid                                int
}

// stepResult is one rate step; the JSON lines of -out hold these.
type stepResult struct {
	Target      string  `json:"target"`
	Label       string  `json:"label,omitempty"`
	Rate        float64 `json:"rate"`
	Planned     int     `json:"planned"`
	Sent        int     `json:"sent"`
	Count       int     `json:"count"`
	Errors      int     `json:"errors"`
	FirstError  string  `json:"firstError,omitempty"`
	P50         float64 `json:"p50ms"`
	P90         float64 `json:"p90ms"`
	P99         float64 `json:"p99ms"`
	Max         float64 `json:"maxms"`
	Mean        float64 `json:"meanms"`
	Achieved    float64 `json:"achievedRate"`
	Seconds     float64 `json:"seconds"`
	SendLagP99  float64 `json:"sendLagP99ms"`
	SendLagMax  float64 `json:"sendLagMaxms"`
	NewConns    int64   `json:"newConns"`
	Proto       string  `json:"proto"`
	Aborted     string  `json:"aborted,omitempty"`
	ClientCPU   float64 `json:"clientCPUs"`
	ServerCPU   float64 `json:"serverCPUs,omitempty"`
	ServerCPUms float64 `json:"serverCPUmsPerRequest,omitempty"`
	RSSBefore   int64   `json:"rssKiBBefore,omitempty"`
	RSSAfter    int64   `json:"rssKiBAfter,omitempty"`
	RSSSamples  []int64 `json:"rssKiBSamples,omitempty"`
	Pass        *bool   `json:"pass,omitempty"`
	KeptUp      *bool   `json:"keptUp,omitempty"`
}

func runCmd(args []string) error {
	var c runConfig
	var rates string
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	fs.StringVar(&c.url, "url", "", "HTTPS URL to POST to (loopback only)")
	fs.StringVar(&c.ca, "ca", "", "PEM file of the CA that signed the server's certificate")
	fs.StringVar(&c.body, "body", "", "file holding the request body")
	fs.StringVar(&c.target, "target", "", "name of the target in the results (meshguard, opa)")
	fs.StringVar(&c.expect, "expect", "", "a 200 answer must contain this string, else it counts as an error")
	fs.StringVar(&c.out, "out", "", "append one JSON line per step to this file")
	fs.StringVar(&c.label, "label", "", "label of the steps in the results")
	fs.StringVar(&rates, "rates", "1000", "comma-separated rates in requests per second, one step each, in order")
	fs.IntVar(&c.n, "n", 0, "requests per step (default: rate x -duration)")
	fs.DurationVar(&c.duration, "duration", 5*time.Second, "length of each step")
	fs.DurationVar(&c.warmup, "warmup", 2*time.Second, "unmeasured load before the first step, to open connections")
	fs.Float64Var(&c.warmupRate, "warmup-rate", 0, "rate of the warm-up (default: the first rate, at most 200/s, so that it does not overload the server)")
	fs.DurationVar(&c.pause, "pause", time.Second, "idle time between steps")
	fs.DurationVar(&c.timeout, "timeout", 5*time.Second, "a request not answered this long after its due time is an error")
	fs.DurationVar(&c.grace, "grace", 5*time.Second, "after the last send of a step, wait at most this long for the answers")
	fs.DurationVar(&c.passP99, "pass-p99", 0, "a step passes when it has no error and a p99 of at most this (0: no judgement)")
	fs.BoolVar(&c.stopSaturated, "stop-saturated", false, "stop stepping after the first step the server did not keep up with (an error, cut short, or under 97% of the rate achieved), and exit with code 3")
	fs.IntVar(&c.refine, "refine", 0, "with -pass-p99: at most this many bisection steps between the highest passing rate and the lowest failing one above it")
	fs.IntVar(&c.conns, "conns", 64, "most connections to keep open")
	fs.IntVar(&c.maxInflight, "max-inflight", 2000, "abort a step when this many requests are outstanding (the server fell behind)")
	fs.BoolVar(&c.http2, "http2", false, "negotiate HTTP/2 (default: HTTP/1.1 keep-alive)")
	fs.BoolVar(&c.show, "show", false, "print the first answer's body on stderr")
	fs.IntVar(&c.pid, "pid", 0, "the server's pid: report its CPU time and RSS (VmRSS) per step")
	fs.DurationVar(&c.rssEvery, "rss-every", time.Second, "with -pid: sample VmRSS this often during a step")
	_ = fs.Parse(args)
	if c.url == "" || c.body == "" {
		return errors.New("-url and -body are required")
	}
	for _, s := range strings.Split(rates, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || r <= 0 {
			return fmt.Errorf("-rates: %q is not a positive number", s)
		}
		c.rates = append(c.rates, r)
	}
	if c.target == "" {
		c.target = c.url
	}
	cl, err := newClient(c)
	if err != nil {
		return err
	}
	var out *os.File
	if c.out != "" {
		if out, err = os.OpenFile(c.out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err != nil {
			return err
		}
		defer out.Close()
	}
	ctx := context.Background()
	if c.show {
		b, status, err := cl.once(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "%s: HTTP %d\n%s\n", c.target, status, b)
	}
	if c.warmup > 0 {
		rate := c.warmupRate
		if rate <= 0 {
			rate = min(c.rates[0], 200)
		}
		n := int(rate * c.warmup.Seconds())
		r := cl.step(ctx, rate, max(n, 1))
		fmt.Fprintf(os.Stderr, "%s: warm-up %d requests at %.0f/s: %d errors, p99 %.2f ms, %d connections\n",
			c.target, r.Count, r.Rate, r.Errors, r.P99, r.NewConns)
		if r.Errors > 0 {
			return fmt.Errorf("warm-up: %d errors, the first: %s", r.Errors, r.FirstError)
		}
		time.Sleep(c.pause)
	}
	emit := func(r stepResult) error {
		fmt.Fprintln(os.Stderr, r.line())
		if out != nil {
			b, _ := json.Marshal(r)
			if _, err := out.Write(append(b, '\n')); err != nil {
				return err
			}
		}
		return nil
	}
	// A step passes when it has no error and its p99 is within -pass-p99; it
	// kept up when the server answered everything at the rate asked (no
	// error, not cut short, at least 97% of the rate achieved).
	judge := func(r *stepResult) {
		if c.passP99 > 0 {
			ok := r.Errors == 0 && r.Aborted == "" && r.P99 <= float64(c.passP99)/1e6
			r.Pass = &ok
		}
		kept := r.Errors == 0 && r.Aborted == "" && r.Achieved >= 0.97*r.Rate
		r.KeptUp = &kept
	}
	var results []stepResult
	saturated := false
	for i, rate := range c.rates {
		if i > 0 {
			time.Sleep(c.pause)
		}
		r := cl.step(ctx, rate, c.stepN(rate))
		r.Label = c.label
		judge(&r)
		results = append(results, r)
		if err := emit(r); err != nil {
			return err
		}
		if c.stopSaturated && !*r.KeptUp {
			saturated = true
			break
		}
	}
	// Bisect between the highest rate that passed and the lowest above it
	// that did not.
	for i := 0; i < c.refine && c.passP99 > 0; i++ {
		var lastPass, firstFail float64
		for _, r := range results {
			if *r.Pass && r.Rate > lastPass {
				lastPass = r.Rate
			}
		}
		for _, r := range results {
			if !*r.Pass && r.Rate > lastPass && (firstFail == 0 || r.Rate < firstFail) {
				firstFail = r.Rate
			}
		}
		if lastPass == 0 || firstFail == 0 || firstFail-lastPass <= firstFail/20 {
			break
		}
		rate := float64(int((lastPass+firstFail)/2/10) * 10)
		time.Sleep(c.pause)
		r := cl.step(ctx, rate, c.stepN(rate))
		r.Label = strings.TrimPrefix(c.label+", refine", ", ")
		judge(&r)
		results = append(results, r)
		if err := emit(r); err != nil {
			return err
		}
	}
	if saturated {
		return errSaturated
	}
	return nil
}

// errSaturated ends load run with exit code 3 under -stop-saturated: a
// script stepping rates itself knows to stop.
var errSaturated = errors.New("the server did not keep up with the last rate (exit code 3)")

func (c runConfig) stepN(rate float64) int {
	if c.n > 0 {
		return c.n
	}
	return max(int(rate*c.duration.Seconds()), 1)
}

func (r stepResult) line() string {
	s := fmt.Sprintf("%s %6.0f/s: %6d sent, %d errors, p50 %.3f p90 %.3f p99 %.3f max %.3f ms, achieved %.0f/s, send lag p99 %.3f ms, %d new conns, %s",
		r.Target, r.Rate, r.Sent, r.Errors, r.P50, r.P90, r.P99, r.Max, r.Achieved, r.SendLagP99, r.NewConns, r.Proto)
	if r.ServerCPU > 0 {
		s += fmt.Sprintf(", server CPU %.3f ms/req", r.ServerCPUms)
	}
	if r.RSSAfter > 0 {
		s += fmt.Sprintf(", RSS %d->%d KiB", r.RSSBefore, r.RSSAfter)
	}
	if r.Pass != nil {
		s += fmt.Sprintf(", pass %v", *r.Pass)
	}
	if r.KeptUp != nil && !*r.KeptUp {
		s += ", did not keep up"
	}
	if r.Aborted != "" {
		s += ", ABORTED: " + r.Aborted
	}
	if r.FirstError != "" {
		s += ", first error: " + r.FirstError
	}
	return s
}

type client struct {
	runConfig
	http    *http.Client
	payload []byte
	dials   atomic.Int64
}

func newClient(c runConfig) (*client, error) {
	u, err := url.Parse(c.url)
	if err != nil {
		return nil, err
	}
	if err := loopbackOnly(u.Hostname()); err != nil {
		return nil, err
	}
	body, err := os.ReadFile(c.body)
	if err != nil {
		return nil, err
	}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS13}
	if c.ca != "" {
		pem, err := os.ReadFile(c.ca)
		if err != nil {
			return nil, err
		}
		tlsConfig.RootCAs = x509.NewCertPool()
		if !tlsConfig.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no PEM certificate", c.ca)
		}
	}
	cl := &client{runConfig: c, payload: body}
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		TLSClientConfig:     tlsConfig,
		MaxIdleConns:        c.conns,
		MaxIdleConnsPerHost: c.conns,
		MaxConnsPerHost:     c.conns,
		IdleConnTimeout:     5 * time.Minute,
		DisableCompression:  true,
		ForceAttemptHTTP2:   c.http2,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			cl.dials.Add(1)
			return dialer.DialContext(ctx, network, addr)
		},
	}
	cl.http = &http.Client{Transport: tr}
	return cl, nil
}

// loopbackOnly refuses any target but this machine.
func loopbackOnly(host string) error {
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%s is not a loopback address: load only targets this machine", host)
}

// once sends one request and returns the answer.
func (c *client) once(ctx context.Context) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(c.payload))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return b, resp.StatusCode, err
}

// step sends n requests at rate per second and measures them.
func (c *client) step(ctx context.Context, rate float64, n int) stepResult {
	r := stepResult{Target: c.target, Rate: rate, Planned: n}
	lat := make([]int64, n)
	lag := make([]int64, n)
	failed := make([]bool, n)
	var firstErr sync.Once
	var inflight atomic.Int64
	var lastDone atomic.Int64
	var proto atomic.Value
	var wg sync.WaitGroup
	stepCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	dials := c.dials.Load()
	cpu0 := selfCPU()
	srv0 := procCPU(c.pid)
	r.RSSBefore = vmRSS(c.pid)
	stopSampling := c.sampleRSS(&r)

	interval := float64(time.Second) / rate
	start := time.Now().Add(2 * time.Millisecond)
	sender := make(chan struct{})
	go func() {
		// The dispatcher: a locked thread, nanosleep with a tight timer slack.
		defer close(sender)
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		_, _, _ = syscall.Syscall(syscall.SYS_PRCTL, 29 /* PR_SET_TIMERSLACK */, 1, 0)
		for i := range n {
			at := start.Add(time.Duration(float64(i) * interval))
			if d := time.Until(at); d > 0 {
				ts := syscall.NsecToTimespec(int64(d))
				_ = syscall.Nanosleep(&ts, nil)
			}
			if f := inflight.Load(); f >= int64(c.maxInflight) {
				r.Aborted = fmt.Sprintf("%d requests outstanding after %.1f s: the server fell behind", f, time.Since(start).Seconds())
				break
			}
			lag[i] = int64(time.Since(at))
			r.Sent++
			inflight.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer inflight.Add(-1)
				err := c.send(stepCtx, at, &proto)
				done := time.Now()
				lat[i] = int64(done.Sub(at))
				for {
					last := lastDone.Load()
					if int64(done.Sub(start)) <= last || lastDone.CompareAndSwap(last, int64(done.Sub(start))) {
						break
					}
				}
				if err != nil {
					failed[i] = true
					firstErr.Do(func() { r.FirstError = err.Error() })
				}
			}()
		}
	}()
	<-sender
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(c.grace):
		cancel() // what is still outstanding fails as cancelled
		<-finished
	}
	stopSampling()
	r.ClientCPU = selfCPU() - cpu0
	if c.pid > 0 {
		r.ServerCPU = procCPU(c.pid) - srv0
		r.RSSAfter = vmRSS(c.pid)
	}
	r.NewConns = c.dials.Load() - dials
	if p, ok := proto.Load().(string); ok {
		r.Proto = p
	}

	lat, lag = lat[:r.Sent], lag[:r.Sent]
	for _, f := range failed[:r.Sent] {
		if f {
			r.Errors++
		}
	}
	r.Count = r.Sent
	r.Seconds = float64(lastDone.Load()) / 1e9
	if r.Seconds > 0 {
		r.Achieved = float64(r.Count-r.Errors) / r.Seconds
	}
	if r.Count > 0 {
		r.ServerCPUms = r.ServerCPU * 1000 / float64(r.Count)
		var sum int64
		for _, l := range lat {
			sum += l
		}
		r.Mean = float64(sum) / float64(len(lat)) / 1e6
		sortInts(lat)
		sortInts(lag)
		r.P50, r.P90, r.P99 = pct(lat, 0.50), pct(lat, 0.90), pct(lat, 0.99)
		r.Max = float64(lat[len(lat)-1]) / 1e6
		r.SendLagP99, r.SendLagMax = pct(lag, 0.99), float64(lag[len(lag)-1])/1e6
	}
	return r
}

// send does one request due at at; an error is a failed request.
func (c *client) send(ctx context.Context, at time.Time, proto *atomic.Value) error {
	ctx, cancel := context.WithDeadline(ctx, at.Add(c.timeout))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(c.payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	proto.Store(resp.Proto)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, b)
	}
	if c.expect != "" && !bytes.Contains(b, []byte(c.expect)) {
		return fmt.Errorf("answer without %q: %.200s", c.expect, b)
	}
	return nil
}

// sampleRSS samples the server's VmRSS every rssEvery until the returned
// function is called.
func (c *client) sampleRSS(r *stepResult) func() {
	if c.pid <= 0 || c.rssEvery <= 0 {
		return func() {}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(c.rssEvery)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				r.RSSSamples = append(r.RSSSamples, vmRSS(c.pid))
			}
		}
	}()
	return func() { close(stop); <-done }
}

func sortInts(s []int64) { sort.Slice(s, func(i, j int) bool { return s[i] < s[j] }) }

// pct is the q-quantile of sorted nanoseconds, in milliseconds (nearest rank).
func pct(sorted []int64, q float64) float64 {
	i := int(float64(len(sorted))*q+0.999999) - 1
	i = min(max(i, 0), len(sorted)-1)
	return float64(sorted[i]) / 1e6
}

// selfCPU is this process's user+system CPU time in seconds.
func selfCPU() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// procCPU is a process's user+system CPU time in seconds (/proc/PID/stat,
// in clock ticks of 1/100 s).
func procCPU(pid int) float64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces; the fields after it are fixed.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100
}

// vmRSS is a process's resident set size in KiB (/proc/PID/status VmRSS).
func vmRSS(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			fields := strings.Fields(rest)
			if len(fields) > 0 {
				v, _ := strconv.ParseInt(fields[0], 10, 64)
				return v
			}
		}
	}
	return 0
}
