package simplegokernel

import (
	"fmt"
	"testing"
)

// BenchmarkRepack times the copy of a [2016, 128] operand into 32-blocks, in both layouts.
func BenchmarkRepack(b *testing.B) {
	const rows, cols, log2Dim = 2016, 128, 5
	src := make([]float32, rows*cols)
	for i := range src {
		src[i] = float32(i)
	}
	dim := 1 << log2Dim
	for _, contractAxis := range []int{1, 0} {
		dims := []int{rows, cols}
		cross, contract := rows, cols
		if contractAxis == 0 {
			cross, contract = cols, rows
		}
		dst := make([]float32, ((cross+dim-1)/dim)*((contract+dim-1)/dim)*dim*dim)
		l := blockLayout{src: src, dst: dst, batch: []int{0}, cross: axisOffsets(dims, []int{1 - contractAxis}),
			contract: axisOffsets(dims, []int{contractAxis}), log2Dim: log2Dim}
		b.Run(fmt.Sprintf("contract axis %d", contractAxis), func(b *testing.B) {
			for b.Loop() {
				if contractAxis == 1 {
					l.rowsOfContract()
				} else {
					l.rowsOfCross()
				}
			}
			b.ReportMetric(float64(rows*cols)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gvalues/s")
		})
	}
}
