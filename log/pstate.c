/* pstate.c — producer state: a dense entry array indexed by an open-addressing hash table
 * (linear probing, deletion by backward shift, so no tombstones). Removal moves the last entry
 * into the hole, so iteration and snapshots walk a dense array. Open transactions are an
 * array sorted by first offset (appends nearly always add at the end); completed ones not yet
 * below the HW an array in marker order. See pstate.h. */
#include "pstate.h"

#include "../common/kerr.h"
#include "log.h"

#include <string.h>

struct txn_span {
	int64_t first, last; /* open: last = producer id; unreplicated: last = marker offset */
};

struct pstate {
	struct pstate_entry *e;
	size_t n, cap;
	uint32_t *slot;   /* entry index + 1; 0 = empty */
	size_t nslots;    /* power of two, >= 2 * n */
	struct txn_span *open;   /* open transactions, ascending first offset; last = pid */
	size_t nopen, capopen;
	struct txn_span *unrep;  /* completed, marker not yet below the HW, in marker order */
	size_t nunrep, capunrep;
};

static size_t slot_of(const struct pstate *ps, int64_t pid)
{
	uint64_t h = (uint64_t)pid * 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 32) & (ps->nslots - 1);
}

/* The slot holding pid, or the empty slot where it would go. */
static size_t probe(const struct pstate *ps, int64_t pid)
{
	size_t i = slot_of(ps, pid);
	while (ps->slot[i] && ps->e[ps->slot[i] - 1].pid != pid)
		i = (i + 1) & (ps->nslots - 1);
	return i;
}

static void rehash(struct pstate *ps, size_t nslots)
{
	kb_free(ps->slot);
	ps->nslots = nslots;
	ps->slot = kb_calloc(nslots, sizeof(*ps->slot));
	for (size_t k = 0; k < ps->n; k++)
		ps->slot[probe(ps, ps->e[k].pid)] = (uint32_t)(k + 1);
}

struct pstate *pstate_new(void)
{
	struct pstate *ps = kb_calloc(1, sizeof(*ps));
	rehash(ps, 16);
	return ps;
}

void pstate_free(struct pstate *ps)
{
	if (!ps)
		return;
	kb_free(ps->e);
	kb_free(ps->slot);
	kb_free(ps->open);
	kb_free(ps->unrep);
	kb_free(ps);
}

void pstate_clear(struct pstate *ps)
{
	ps->n = 0;
	ps->nopen = ps->nunrep = 0;
	memset(ps->slot, 0, ps->nslots * sizeof(*ps->slot));
}

/* ---- Open transactions ------------------------------------------------------------------------ */

/* Index of the first open transaction with first offset >= off. */
static size_t open_lower(const struct pstate *ps, int64_t off)
{
	size_t lo = 0, hi = ps->nopen;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ps->open[mid].first < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void open_add(struct pstate *ps, int64_t first, int64_t pid)
{
	size_t i = open_lower(ps, first);
	KB_GROW(ps->open, ps->capopen, ps->nopen + 1, 8);
	memmove(ps->open + i + 1, ps->open + i, (ps->nopen - i) * sizeof(*ps->open));
	ps->open[i] = (struct txn_span){first, pid};
	ps->nopen++;
}

static void open_remove(struct pstate *ps, int64_t first)
{
	size_t i = open_lower(ps, first);
	if (i < ps->nopen && ps->open[i].first == first) {
		memmove(ps->open + i, ps->open + i + 1, (ps->nopen - i - 1) * sizeof(*ps->open));
		ps->nopen--;
	}
}

size_t pstate_open_txns(const struct pstate *ps)
{
	return ps->nopen;
}

size_t pstate_count(const struct pstate *ps)
{
	return ps->n;
}

const struct pstate_entry *pstate_find(const struct pstate *ps, int64_t pid)
{
	size_t i = probe(ps, pid);
	return ps->slot[i] ? &ps->e[ps->slot[i] - 1] : NULL;
}

const struct pstate_entry *pstate_at(const struct pstate *ps, size_t i)
{
	return i < ps->n ? &ps->e[i] : NULL;
}

const struct pstate_batch *pstate_entry_batch(const struct pstate_entry *e, unsigned k)
{
	return &e->b[(e->head + k) % PSTATE_MAX_BATCHES];
}

int32_t pstate_last_seq(int32_t base_seq, int32_t delta)
{
	if (base_seq > INT32_MAX - delta)
		return delta - (INT32_MAX - base_seq) - 1;
	return base_seq + delta;
}

int32_t pstate_batch_first_seq(const struct pstate_batch *b)
{
	/* Kafka's decrementSequence */
	if (b->last_seq < b->offset_delta)
		return INT32_MAX - (b->offset_delta - b->last_seq) + 1;
	return b->last_seq - b->offset_delta;
}

static bool in_sequence(int32_t last_seq, int32_t next_seq)
{
	return (int64_t)next_seq == (int64_t)last_seq + 1 ||
	       (next_seq == 0 && last_seq == INT32_MAX);
}

/* Rule 5: no plain batch inside the producer's open transaction. */
static int txn_ok(const struct pstate_entry *e, const struct pstate_append *a)
{
	return e && e->txn_first != PSTATE_NO_TXN && !a->txn ? KERR_INVALID_TXN_STATE : KERR_NONE;
}

int pstate_check(const struct pstate *ps, const struct pstate_append *a, struct pstate_dup *dup)
{
	const struct pstate_entry *e = pstate_find(ps, a->pid);
	int16_t cur_epoch = e ? e->epoch : PSTATE_NO_EPOCH;

	if (e && a->epoch == e->epoch) {
		for (unsigned k = 0; k < e->n; k++) {
			const struct pstate_batch *b = pstate_entry_batch(e, k);
			if (b->last_seq == a->last_seq && pstate_batch_first_seq(b) == a->first_seq) {
				dup->first_offset = b->last_offset - b->offset_delta;
				dup->last_offset = b->last_offset;
				dup->timestamp = b->timestamp;
				return PSTATE_DUPLICATE;
			}
		}
	}
	if (a->epoch < cur_epoch)
		return KERR_INVALID_PRODUCER_EPOCH;
	if (a->epoch != cur_epoch) {
		/* A new epoch restarts at 0; an unknown producer may start anywhere (KIP-360). */
		if (a->first_seq != 0 && cur_epoch != PSTATE_NO_EPOCH)
			return KERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
		return txn_ok(e, a);
	}
	int32_t last = e->n ? pstate_entry_batch(e, e->n - 1u)->last_seq : PSTATE_NO_SEQ;
	if (cur_epoch != PSTATE_NO_EPOCH && !in_sequence(last, a->first_seq))
		return KERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
	return txn_ok(e, a);
}

static struct pstate_entry *get_or_add(struct pstate *ps, int64_t pid)
{
	size_t i = probe(ps, pid);
	if (ps->slot[i])
		return &ps->e[ps->slot[i] - 1];
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 8;
		ps->e = kb_realloc(ps->e, ps->cap * sizeof(*ps->e));
	}
	struct pstate_entry *e = &ps->e[ps->n++];
	*e = (struct pstate_entry){.pid = pid, .last_ts = -1, .epoch = PSTATE_NO_EPOCH,
	                           .coord_epoch = -1, .txn_first = PSTATE_NO_TXN};
	if (2 * ps->n > ps->nslots)
		rehash(ps, ps->nslots * 2);
	else
		ps->slot[i] = (uint32_t)ps->n;
	return e;
}

static void add_batch(struct pstate_entry *e, const struct pstate_batch *b)
{
	if (e->n == PSTATE_MAX_BATCHES) {
		e->head = (uint8_t)((e->head + 1) % PSTATE_MAX_BATCHES);
		e->n--;
	}
	e->b[(e->head + e->n) % PSTATE_MAX_BATCHES] = *b;
	e->n++;
}

void pstate_update(struct pstate *ps, const struct pstate_append *a)
{
	struct pstate_entry *e = get_or_add(ps, a->pid);
	if (e->epoch != a->epoch) {
		e->epoch = a->epoch;
		e->n = e->head = 0;
	}
	struct pstate_batch b = {.last_seq = a->last_seq,
	                         .offset_delta = (int32_t)(a->last_offset - a->first_offset),
	                         .last_offset = a->last_offset, .timestamp = a->max_ts};
	add_batch(e, &b);
	e->last_ts = a->max_ts;
	if (a->txn && e->txn_first == PSTATE_NO_TXN) {
		e->txn_first = a->first_offset;
		open_add(ps, a->first_offset, a->pid);
	}
}

int pstate_check_marker(const struct pstate *ps, int64_t pid, int16_t epoch, int32_t coord_epoch)
{
	const struct pstate_entry *e = pstate_find(ps, pid);
	if (!e)
		return KERR_NONE;
	if (epoch < e->epoch)
		return KERR_INVALID_PRODUCER_EPOCH;
	if (coord_epoch < e->coord_epoch)
		return KERR_TRANSACTION_COORDINATOR_FENCED;
	return KERR_NONE;
}

bool pstate_end_txn(struct pstate *ps, const struct pstate_marker *m, struct pstate_txn_done *done)
{
	struct pstate_entry *e = get_or_add(ps, m->pid);
	bool closed = e->txn_first != PSTATE_NO_TXN;
	if (closed) {
		open_remove(ps, e->txn_first);
		int64_t lso = m->offset + 1; /* the earliest open transaction of another producer */
		for (size_t i = 0; i < ps->nopen; i++)
			if (ps->open[i].last != m->pid) {
				lso = ps->open[i].first;
				break;
			}
		*done = (struct pstate_txn_done){.pid = m->pid, .first = e->txn_first,
		                                 .last = m->offset, .lso = lso, .aborted = !m->commit};
		KB_GROW(ps->unrep, ps->capunrep, ps->nunrep + 1, 8);
		ps->unrep[ps->nunrep++] = (struct txn_span){e->txn_first, m->offset};
		e->txn_first = PSTATE_NO_TXN;
	}
	if (e->epoch != m->epoch) { /* a higher epoch (a fenced producer's abort) is adopted */
		e->epoch = m->epoch;
		e->n = e->head = 0;
	}
	e->coord_epoch = m->coord_epoch;
	e->last_ts = m->ts;
	return closed;
}

int64_t pstate_first_unstable(struct pstate *ps, int64_t hw)
{
	size_t k = 0;
	for (size_t i = 0; i < ps->nunrep; i++)
		if (ps->unrep[i].last >= hw)
			ps->unrep[k++] = ps->unrep[i];
	ps->nunrep = k;
	int64_t first = ps->nopen ? ps->open[0].first : INT64_MAX;
	for (size_t i = 0; i < ps->nunrep; i++)
		first = KB_MIN(first, ps->unrep[i].first);
	return first;
}

/* Removes the entry in slot i: backward-shift the probe run, then move the last entry into
 * the hole of the dense array. */
static void remove_slot(struct pstate *ps, size_t i)
{
	size_t mask = ps->nslots - 1;
	size_t idx = ps->slot[i] - 1;
	size_t j = i;
	ps->slot[i] = 0;
	for (;;) {
		j = (j + 1) & mask;
		if (!ps->slot[j])
			break;
		size_t home = slot_of(ps, ps->e[ps->slot[j] - 1].pid);
		/* The entry at j may move to the hole i if its home is not in (i, j] cyclically. */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (!stays) {
			ps->slot[i] = ps->slot[j];
			ps->slot[j] = 0;
			i = j;
		}
	}
	size_t last = ps->n - 1;
	if (idx != last) {
		ps->e[idx] = ps->e[last];
		ps->slot[probe(ps, ps->e[idx].pid)] = (uint32_t)(idx + 1);
	}
	ps->n--;
}

size_t pstate_expire(struct pstate *ps, int64_t now_ms, int64_t expiration_ms)
{
	size_t removed = 0;
	for (size_t k = 0; k < ps->n;) {
		if (ps->e[k].txn_first == PSTATE_NO_TXN && now_ms - ps->e[k].last_ts >= expiration_ms) {
			remove_slot(ps, probe(ps, ps->e[k].pid));
			removed++;
		} else {
			k++; /* on removal, entry k is now the former last: look at it again */
		}
	}
	return removed;
}

/* ---- Snapshots ------------------------------------------------------------------------------ */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}
static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}
static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}
static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}
static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

uint8_t *pstate_snapshot_encode(const struct pstate *ps, size_t *len)
{
	*len = PSTATE_SNAP_HEADER + ps->n * PSTATE_SNAP_ENTRY;
	uint8_t *buf = kb_malloc(*len);
	uint8_t *p = buf + PSTATE_SNAP_HEADER;
	for (size_t k = 0; k < ps->n; k++, p += PSTATE_SNAP_ENTRY) {
		const struct pstate_entry *e = &ps->e[k];
		const struct pstate_batch *b = e->n ? pstate_entry_batch(e, e->n - 1u) : NULL;
		put64(p, (uint64_t)e->pid);
		put16(p + 8, (uint16_t)e->epoch);
		put32(p + 10, (uint32_t)(b ? b->last_seq : PSTATE_NO_SEQ));
		put64(p + 14, (uint64_t)(b ? b->last_offset : -1));
		put32(p + 22, (uint32_t)(b ? b->offset_delta : 0));
		put64(p + 26, (uint64_t)e->last_ts);
		put32(p + 34, (uint32_t)e->coord_epoch);
		put64(p + 38, (uint64_t)e->txn_first);
	}
	put16(buf, PSTATE_SNAP_VERSION);
	put32(buf + 6, (uint32_t)ps->n);
	put32(buf + 2, crc32c(0, buf + 6, *len - 6));
	return buf;
}

int pstate_snapshot_decode(struct pstate *ps, const uint8_t *p, size_t len, int64_t now_ms,
                           int64_t expiration_ms)
{
	pstate_clear(ps);
	if (len < PSTATE_SNAP_HEADER || get16(p) != PSTATE_SNAP_VERSION)
		return -1;
	uint32_t count = get32(p + 6);
	if ((len - PSTATE_SNAP_HEADER) % PSTATE_SNAP_ENTRY != 0 ||
	    (len - PSTATE_SNAP_HEADER) / PSTATE_SNAP_ENTRY != count ||
	    get32(p + 2) != crc32c(0, p + 6, len - 6))
		return -1;
	for (const uint8_t *q = p + PSTATE_SNAP_HEADER; q < p + len; q += PSTATE_SNAP_ENTRY) {
		int64_t ts = (int64_t)get64(q + 26);
		int64_t txn_first = (int64_t)get64(q + 38);
		if (txn_first < 0 && expiration_ms >= 0 && now_ms - ts >= expiration_ms)
			continue;
		struct pstate_entry *e = get_or_add(ps, (int64_t)get64(q));
		e->epoch = (int16_t)get16(q + 8);
		e->n = e->head = 0;
		e->last_ts = ts;
		e->coord_epoch = (int32_t)get32(q + 34);
		if (txn_first >= 0 && e->txn_first == PSTATE_NO_TXN) {
			e->txn_first = txn_first;
			open_add(ps, txn_first, e->pid);
		}
		int64_t last_off = (int64_t)get64(q + 14);
		int32_t delta = (int32_t)get32(q + 22);
		if (last_off >= 0 && delta >= 0) {
			struct pstate_batch b = {.last_seq = (int32_t)get32(q + 10), .offset_delta = delta,
			                         .last_offset = last_off, .timestamp = ts};
			add_batch(e, &b);
		}
	}
	return 0;
}
