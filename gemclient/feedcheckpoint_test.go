package gemclient_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/gemclient"
)

// A missing file is an empty checkpoint; a Save is read back whole and leaves no
// temporary file.
func TestFileCheckpointRoundTrip(t *testing.T) {
	dir := t.TempDir()
	store := gemclient.FileCheckpoint(filepath.Join(dir, "feed.json"))
	data, err := store.Load(context.Background())
	require.NoError(t, err)
	assert.Nil(t, data)
	for _, v := range []string{`{"a":1}`, `{"b":2}`} {
		require.NoError(t, store.Save(context.Background(), []byte(v)))
		data, err = store.Load(context.Background())
		require.NoError(t, err)
		assert.Equal(t, v, string(data))
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left")
}

// Readers never see a checkpoint half written: every read, while another goroutine saves
// large checkpoints over and over, is one of the checkpoints saved, whole.
func TestFileCheckpointIsReplacedAtomically(t *testing.T) {
	path := filepath.Join(t.TempDir(), "feed.json")
	store := gemclient.FileCheckpoint(path)
	versions := [][]byte{bytes.Repeat([]byte("a"), 4<<20), bytes.Repeat([]byte("b"), 3<<20)}
	require.NoError(t, store.Save(context.Background(), versions[0]))
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for i := range 20 {
			if err := store.Save(context.Background(), versions[i%2]); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	reads := 0
	for {
		data, err := os.ReadFile(path) // not through the store's lock
		require.NoError(t, err)
		if !bytes.Equal(data, versions[0]) && !bytes.Equal(data, versions[1]) {
			t.Fatalf("read %d bytes that are neither checkpoint", len(data))
		}
		reads++
		select {
		case <-done:
			wg.Wait()
			t.Logf("%d whole reads during 20 saves", reads)
			return
		default:
		}
	}
}

// A Save that fails leaves the previous checkpoint and no temporary file, and says so.
func TestFileCheckpointFailedSaveKeepsTheOld(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "feed.json")
	store := gemclient.FileCheckpoint(path)
	require.NoError(t, store.Save(context.Background(), []byte("old")))
	blocked := filepath.Join(dir, "blocked")
	require.NoError(t, os.MkdirAll(filepath.Join(blocked, "x"), 0o700)) // a non-empty directory cannot be renamed over
	err := gemclient.FileCheckpoint(blocked).Save(context.Background(), []byte("new"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "FileCheckpoint")
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 2, "feed.json and blocked only")
	data, _ := store.Load(context.Background())
	assert.Equal(t, "old", string(data))
}
