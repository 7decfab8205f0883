package gemtest

import (
	"context"

	"github.com/gem-go/gem-go/gen"
	"github.com/gem-go/gem-go/internal/genserver"
)

// ExportFile is one file of a data export.
type ExportFile struct {
	// Name is the file's name in the export ("candidate_info", "projects", ...; the names
	// one source lists are in docs/gem-api.md §1.14).
	Name string
	// Content is what its download_url serves (CSV, text/csv).
	Content []byte
}

type dataExport struct {
	meta
	files []exportFile
}

// exportFile is an ExportFile as stored: its content counts against the fake's file
// budget (fileStore).
type exportFile struct {
	name    string
	content *storedFile
}

// addDataExport stores an export of files, created at created, and returns its id.
func (s *store) addDataExport(created int64, files []ExportFile) string {
	e := &dataExport{meta: s.newMeta(kindDataExport, created), files: make([]exportFile, len(files))}
	for i, file := range files {
		e.files[i] = exportFile{name: file.Name, content: s.files.keep(file.Content)}
	}
	s.exports.add(e)
	return e.id
}

// render is the export as {id, created_at, files: [{name, download_url}]}; the file shape
// comes from a single source (docs/gem-api.md §1.14); download_url is signed and expiring (fileSigner).
func (e *dataExport) render(f *Fake, base string) gen.DataExport {
	files := make([]gen.DataExportFile, len(e.files))
	for i, file := range e.files {
		url := f.downloadURL(base, "data_export/"+e.id+"/"+itoa(i)+"/"+pathEscape(file.name)+".csv")
		files[i] = gen.DataExportFile{Name: ptr(file.name), DownloadURL: &url}
	}
	return gen.DataExport{ID: ptr(e.id), CreatedAt: unixTime(e.created), Files: files}
}

// GetDataExport returns the most recent data export. With none, it answers flask-smorest's
// 404 (the reference does not say; a guess).
func (a api) GetDataExport(ctx context.Context, _ genserver.GetDataExportRequestObject) (genserver.GetDataExportResponseObject, error) {
	s := a.lock()
	defer a.unlock()
	if s.exports.len() == 0 {
		return nil, a.notFound("Data export")
	}
	latest := s.exports.list[0]
	for _, e := range s.exports.list[1:] {
		if e.created >= latest.created {
			latest = e
		}
	}
	return genserver.GetDataExport200JSONResponse(latest.render(a.Fake, requestBase(ctx))), nil
}
