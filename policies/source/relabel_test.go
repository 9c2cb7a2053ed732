package source

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// TestScriptReadsNamespaceChanges: osm namespace add, remove and ignore,
// kubectl label and annotate of namespaces, as they change what osm-edge
// reads; commands meshguard cannot read in full are passed over.
func TestScriptReadsNamespaceChanges(t *testing.T) {
	src := "osm namespace add bookstore bookbuyer\n" +
		"osm namespace add --mesh-name=edge --disable-sidecar-injection shop\n" +
		"osm namespace remove bookstore --mesh-name edge\n" +
		"osm namespace ignore infra\n" +
		"kubectl label namespace curl openservicemesh.io/monitored-by=osm --overwrite\n" +
		"kubectl label ns/a ns/b team=x openservicemesh.io/monitored-by-\n" +
		"kubectl annotate namespaces c openservicemesh.io/sidecar-injection=disabled\n" +
		"kubectl label pod p openservicemesh.io/monitored-by=osm\n" +
		"kubectl label ns -l env=dev openservicemesh.io/monitored-by=osm\n" +
		"kubectl label ns --all x=y\n" +
		"kubectl label ns \"$NS\" x=y\n" +
		"kubectl label ns d x=y --dry-run=client\n" +
		"osm namespace add \"$NS\"\n" +
		"osm namespace list\n" +
		"f() { osm namespace add inside; }\n"
	var got []string
	s := &Script{File: "s.sh", Dir: "/x", Bases: stubBases{}, Emit: func(*Document) error { return nil },
		Relabel: func(c NamespaceChange) {
			show := func(m map[string]*string) string {
				var parts []string
				for k, v := range m {
					if v == nil {
						parts = append(parts, k+"-")
					} else {
						parts = append(parts, k+"="+*v)
					}
				}
				sort.Strings(parts)
				return strings.Join(parts, ",")
			}
			got = append(got, fmt.Sprintf("%d %v whole=%v labels[%s] annotations[%s]", c.At.Line, c.Namespaces, c.Whole, show(c.Labels), show(c.Annotations)))
		}}
	if err := s.Scan([]byte(src)); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"1 [bookstore bookbuyer] whole=true labels[openservicemesh.io/monitored-by=osm] annotations[openservicemesh.io/sidecar-injection=enabled]",
		"2 [shop] whole=true labels[openservicemesh.io/monitored-by=edge] annotations[openservicemesh.io/sidecar-injection=disabled]",
		"3 [bookstore] whole=true labels[openservicemesh.io/monitored-by-] annotations[openservicemesh.io/sidecar-injection-]",
		"4 [infra] whole=false labels[openservicemesh.io/ignore=true] annotations[]",
		"5 [curl] whole=false labels[openservicemesh.io/monitored-by=osm] annotations[]",
		"6 [a b] whole=false labels[openservicemesh.io/monitored-by-,team=x] annotations[]",
		"7 [c] whole=false labels[] annotations[openservicemesh.io/sidecar-injection=disabled]",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("changes:\n got %q\nwant %q", got, want)
	}
}
