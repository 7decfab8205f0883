module github.com/gem-go/gem-go

go 1.23
