package source

import (
	"testing"
)

// How kubectl is found and how its flags are read in scripts: cases a
// review found wrong.

const kubectlEgress = " apply -f - <<EOF\napiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: x, namespace: c}\nEOF\n"

// c58a2ea collects every assignment of the script in one walk before reading
// any command, so the LAST value wins for commands above it too: a kubectl
// apply through $K is not read at all once the script reuses K further down
// (or a function assigns a local K), and the script passes silently.
func TestVariableReassignedLater(t *testing.T) {
	for _, src := range []string{
		"K=kubectl\n$K" + kubectlEgress + "K=karmadactl\n$K get clusters\n",
		"K=kubectl\n$K" + kubectlEgress + "cleanup() { local K=echo; }\n",
	} {
		docs, _, err := scan(t, src)
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) != 1 {
			t.Errorf("%q: %d documents, want the Egress $K applies while K=kubectl", src, len(docs))
		}
	}
}

// commandOf requires the variable's first word to be kubectl, before unwrap:
// the wrappers README says are recognised (sudo, microk8s/minikube kubectl)
// are not, when held in the variable. And an assigned empty value hides the
// ${VAR:-kubectl} default, which the shell uses for an empty value too.
func TestVariableHoldingAWrapper(t *testing.T) {
	for _, src := range []string{
		"K=\"microk8s kubectl\"\n$K" + kubectlEgress,
		"K=\"sudo kubectl\"\n$K" + kubectlEgress,
		"K=\"minikube kubectl --\"\n$K" + kubectlEgress,
		"KCTL=\"\"\n${KCTL:-kubectl}" + kubectlEgress,
	} {
		docs, _, err := scan(t, src)
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) != 1 {
			t.Errorf("%q: %d documents, want 1", src, len(docs))
		}
	}
}

// 771ab21 reads --validate by string; kubectl (GetValidationDirective)
// first tries strconv.ParseBool, so 0, f, F, False and FALSE are Ignore.
func TestValidateParsedAsKubectlDoes(t *testing.T) {
	for _, v := range []string{"0", "f", "F", "False", "FALSE"} {
		docs, _, err := scan(t, "kubectl apply --validate="+v+kubectlEgress[len(" apply"):])
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) != 1 || docs[0].FieldValidation != "Ignore" {
			t.Errorf("--validate=%s: FieldValidation %q, want Ignore (kubectl: strconv.ParseBool)", v, func() string {
				if len(docs) == 1 {
					return docs[0].FieldValidation
				}
				return "no document"
			}())
		}
	}
}

// kubectl patch names the version explicitly (kubectl patch
// meshconfigs.v1alpha1.config.openservicemesh.io ...): LookupResource only
// knows MeshConfig as v1alpha2, so the patch is not read at all and its
// misspelled field passes silently (pre-existing, next to ff0e75f).
func TestPatchOfAnExplicitV1alpha1MeshConfig(t *testing.T) {
	docs, _, err := scan(t, "kubectl patch meshconfigs.v1alpha1.config.openservicemesh.io osm-mesh-config -n osm-system --type merge -p '{\"spec\":{\"traffic\":{\"enableEngress\":false}}}'\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 {
		t.Errorf("%d documents, want the patched MeshConfig", len(docs))
	}
}

// --validate="$V" is a value meshguard cannot know; it is read as Strict
// (refused, no step) all the same.
func TestDynamicValidateIsNotStrict(t *testing.T) {
	docs, _, err := scan(t, "kubectl apply --validate=\"$V\""+kubectlEgress[len(" apply"):])
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) == 1 && docs[0].FieldValidation == "Strict" {
		t.Errorf("--validate=\"$V\" read as Strict")
	}
}

// "$kmd" with kmd="kubectl -n curl" is ONE word: the shell looks for a
// command named "kubectl -n curl" and fails; nothing is applied.
func TestQuotedMultiWordVariableIsNotKubectl(t *testing.T) {
	docs, _, err := scan(t, "kmd=\"kubectl -n curl\"\n\"$kmd\""+kubectlEgress)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 0 {
		t.Errorf("\"$kmd\" read as kubectl: %d documents", len(docs))
	}
}
