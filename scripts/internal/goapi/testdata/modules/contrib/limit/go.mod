module example.com/fixture/contrib/limit

go 1.24

require example.com/fixture v0.1.0

replace example.com/fixture => ../..
