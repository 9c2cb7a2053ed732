package policies

import (
	"reflect"
	"strings"
	"testing"

	"github.com/meshguard/meshguard/policies/source"
)

// TestResourceVersionsAreServed: the versions a kubectl resource name may
// give (source.Resources) are those the CRDs serve, the one schema source.
func TestResourceVersionsAreServed(t *testing.T) {
	e := newEngine(t)
	for _, r := range source.Resources {
		group := strings.SplitN(r.APIVersion, "/", 2)[0]
		ks, ok := e.schemas.byKind[group+"/"+r.Kind]
		if !ok {
			t.Errorf("%s: no CRD", r.Kind)
			continue
		}
		if !reflect.DeepEqual(r.Versions(), ks.served) {
			t.Errorf("%s: names may give versions %v, the CRD serves %v", r.Kind, r.Versions(), ks.served)
		}
	}
}
