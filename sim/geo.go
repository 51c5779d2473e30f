package sim

import (
	"container/heap"
	"math/rand/v2"
	"sync"
	"time"
)

// Region is a cloud region a simulated node runs in.
type Region int

// The regions of the geographic model. Nodes are spread over them uniformly
// by the run's seed.
const (
	USEast Region = iota
	USWest
	EUWest
	EUCentral
	APSoutheast
	APNortheast
	SAEast
	numRegions
)

var regionNames = [numRegions]string{"us-east", "us-west", "eu-west", "eu-central", "ap-southeast", "ap-northeast", "sa-east"}

func (r Region) String() string { return regionNames[r] }

// oneWay is the one-way delay between regions in milliseconds: about half the
// public cloud inter-region round-trip times (AWS/GCP published medians,
// rounded). The diagonal is the delay between two nodes of one region.
var oneWay = [numRegions][numRegions]float64{
	//          us-e  us-w  eu-w  eu-c  ap-se ap-ne sa-e
	USEast:      {5, 32, 38, 45, 110, 80, 58},
	USWest:      {32, 5, 68, 75, 85, 52, 90},
	EUWest:      {38, 68, 5, 12, 85, 110, 95},
	EUCentral:   {45, 75, 12, 5, 80, 115, 102},
	APSoutheast: {110, 85, 85, 80, 5, 35, 150},
	APNortheast: {80, 52, 110, 115, 35, 5, 130},
	SAEast:      {58, 90, 95, 102, 150, 130, 5},
}

// Geo is the latency model of one run: each node's region and the one-way
// delay of every link.
type Geo struct {
	Region []Region
	mu     sync.RWMutex // links change during a run (a slow region)
	// lat[i][j] is the one-way delay of the link i–j (symmetric).
	lat [][]time.Duration
	// slow[i] divides the bandwidth of node i's links (1: as configured).
	slow []float64
}

// NewGeo assigns n nodes to regions and draws each link's delay: the regions'
// delay times (1 ± jitter), drawn once per link (mocknet's delay is fixed per
// link; see docs/architecture.md, "Simulation").
func NewGeo(n int, seed uint64, jitter float64) *Geo {
	rng := rand.New(rand.NewPCG(seed, 0x6e0))
	g := &Geo{Region: make([]Region, n), lat: make([][]time.Duration, n), slow: make([]float64, n)}
	for i := range n {
		g.slow[i] = 1
		g.Region[i] = Region(rng.IntN(int(numRegions)))
		g.lat[i] = make([]time.Duration, n)
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			ms := oneWay[g.Region[i]][g.Region[j]] * (1 + jitter*(2*rng.Float64()-1))
			d := time.Duration(ms * float64(time.Millisecond))
			g.lat[i][j], g.lat[j][i] = d, d
		}
	}
	return g
}

// Latency is the one-way delay of the link i–j.
func (g *Geo) Latency(i, j int) time.Duration {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.lat[i][j]
}

// Link is the one-way delay and bandwidth of the link i–j, for links of
// bandwidth base.
func (g *Geo) Link(i, j int, base float64) (time.Duration, float64) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.lat[i][j], base / max(g.slow[i], g.slow[j])
}

// Scale makes every link of the nodes in r f times slower: f times the
// delay, a f-th of the bandwidth (a slow region); 1/f undoes it.
func (g *Geo) Scale(r Region, f float64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i := range g.lat {
		if g.Region[i] == r {
			g.slow[i] *= f
		}
		for j := i + 1; j < len(g.lat); j++ {
			if g.Region[i] == r || g.Region[j] == r {
				d := time.Duration(float64(g.lat[i][j]) * f)
				g.lat[i][j], g.lat[j][i] = d, d
			}
		}
	}
}

// ShortestPaths is the least total delay from src to every node over the
// latency graph of all links (Dijkstra). No overlay, and no protocol, can
// deliver a message from src faster: it is the bound propagation is measured
// against.
func (g *Geo) ShortestPaths(src int) []time.Duration {
	g.mu.RLock()
	defer g.mu.RUnlock()
	n := len(g.lat)
	dist := make([]time.Duration, n)
	for i := range dist {
		dist[i] = -1
	}
	done := make([]bool, n)
	q := &pq{{src, 0}}
	dist[src] = 0
	for q.Len() > 0 {
		it := heap.Pop(q).(item)
		if done[it.node] {
			continue
		}
		done[it.node] = true
		for j := range n {
			if done[j] || j == it.node {
				continue
			}
			d := it.dist + g.lat[it.node][j]
			if dist[j] < 0 || d < dist[j] {
				dist[j] = d
				heap.Push(q, item{j, d})
			}
		}
	}
	return dist
}

type item struct {
	node int
	dist time.Duration
}

type pq []item

func (q pq) Len() int           { return len(q) }
func (q pq) Less(i, j int) bool { return q[i].dist < q[j].dist }
func (q pq) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *pq) Push(x any)        { *q = append(*q, x.(item)) }
func (q *pq) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}
