package webhook

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// FuzzAdmission: any request body gets an AdmissionReview answer, never a
// panic: a verdict with status 200, or a 400 that says what is wrong.
func FuzzAdmission(f *testing.F) {
	dirs, _ := filepath.Glob("testdata/admission/*")
	for _, d := range dirs {
		if b, err := os.ReadFile(filepath.Join(d, "request.json")); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"request":{"uid":"x","operation":"CREATE","object":{"kind":"Egress","apiVersion":"policy.openservicemesh.io/v1alpha1","spec":{"ports":[{"number":1e400}]}}}}`))
	f.Add([]byte(`{"request":{"uid":"x","operation":"UPDATE","object":{"kind":"MeshConfig","apiVersion":"config.openservicemesh.io/v1alpha2","metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{"}}}}}`))
	e := testEngine(f)
	inv := inventoryOf(f, e, nil, true)
	h := StatusCodes(&admission.Webhook{Handler: &Validator{Engine: e, Inventory: StaticInventory{inv}}})
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, ValidatePath, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var ar admissionv1.AdmissionReview
		if err := json.Unmarshal(rec.Body.Bytes(), &ar); err != nil || ar.Response == nil {
			t.Fatalf("status %d, the answer is not an AdmissionReview: %v\n%s", rec.Code, err, rec.Body.String())
		}
		switch rec.Code {
		case http.StatusOK:
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			if ar.Response.Allowed || ar.Response.Result == nil || ar.Response.Result.Message == "" {
				t.Fatalf("a %d without a reason: %s", rec.Code, rec.Body.String())
			}
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	})
}
