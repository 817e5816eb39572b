package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/web/views"
)

// maxUpload is the largest CSV file the upload page accepts; maxUploadForm
// bounds the whole form, with room for its other parts.
const (
	maxUpload     = 10 << 20
	maxUploadForm = maxUpload + 64<<10
)

// uploadForm shows the CSV import page.
func (s *server) uploadForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, s.pageWithFlash(r, "Uploads", "uploads"), views.Uploads(views.UploadForm{}), nil)
}

// upload imports a CSV file of one kind. The store validates the whole file
// first: on any bad line nothing is written and every bad line is listed.
func (s *server) upload(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUploadForm)
	f := views.UploadForm{Errors: map[string]string{}}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		status := http.StatusUnprocessableEntity
		f.Errors["file"] = "Choose a CSV file to upload."
		if errors.As(err, &tooBig) {
			status = http.StatusRequestEntityTooLarge
			f.Errors["file"] = "The file is larger than 10 MB."
		}
		s.renderUpload(w, r, status, f)
		return
	}
	defer r.MultipartForm.RemoveAll()
	f.Kind = r.PostFormValue("kind")
	if !knownKind(f.Kind) {
		f.Errors["kind"] = "Choose what the file holds."
	}
	file, header, err := r.FormFile("file")
	switch {
	case err != nil:
		f.Errors["file"] = "Choose a CSV file to upload."
	case header.Size > maxUpload:
		f.Errors["file"] = "The file is larger than 10 MB."
	case header.Size == 0:
		f.Errors["file"] = "The file is empty."
	}
	if file != nil {
		defer file.Close()
	}
	if len(f.Errors) > 0 {
		s.renderUpload(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	res, err := s.store.ImportCSV(r.Context(), f.Kind, file)
	if err != nil {
		s.importFailed(w, r, f, header.Filename, err)
		return
	}
	s.log.InfoContext(r.Context(), "csv imported", "kind", f.Kind, "added", res.Added, "updated", res.Updated)
	s.setFlash(r, fmt.Sprintf("Imported %s from %s: %d added, %d updated.", f.Kind, header.Filename, res.Added, res.Updated))
	seeOther(w, r, "/admin/uploads")
}

// importFailed re-renders the form with every bad line (422) or, for a failure
// that is not about the file's lines, with the reason.
func (s *server) importFailed(w http.ResponseWriter, r *http.Request, f views.UploadForm, filename string, err error) {
	var bad portfolio.ImportErrors
	if errors.As(err, &bad) {
		f.BadRows = bad
		s.renderUpload(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	// Not a list of bad lines: a file-level problem (e.g. a missing column) or a
	// storage failure. Either way nothing was written; the admin sees why.
	s.log.WarnContext(r.Context(), "csv import refused", "kind", f.Kind, "err", err)
	f.Problem = fmt.Sprintf("Nothing was imported from %s: %v", filename, err)
	s.renderUpload(w, r, http.StatusUnprocessableEntity, f)
}

func (s *server) renderUpload(w http.ResponseWriter, r *http.Request, status int, f views.UploadForm) {
	s.renderStatus(w, r, status, s.page(r, "Uploads", "uploads"), views.Uploads(f), nil)
}

func knownKind(kind string) bool {
	for _, k := range views.UploadKinds() {
		if k.Kind == kind {
			return true
		}
	}
	return false
}
