/**
 * \file policy_table.c
 * The in-memory policy table: an open-addressing hash of owner names (in
 * lowercase wire format, kept in one arena) to two lists of rules, those for
 * the name itself and those for the names below it ("*.").
 * A lookup hashes the name once and costs one hash probe for the name and one
 * per ancestor, none for a number of labels no name in the table has.
 */
#include "policy_table.h"
#include "dname_text.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/** Arrays from this size on are backed by huge pages where the kernel can. */
#define HUGE_MIN (4u << 20)
/** Size of a huge page. */
#define HUGE_PAGE (2u << 20)

const char* const policy_action_names[PA_COUNT] = { "nullmx", "nodata",
	"nxdomain", "refused", "servfail", "drop", "log", "allow",
	"require-secure", "block" };

/** The name offset of an empty slot: the arena's first byte is unused. */
#define SLOT_EMPTY 0

/** One owner name in the index. */
struct policy_node {
	/** offset of the wire name in the arena, SLOT_EMPTY for an empty slot */
	uint32_t name;
	/** hash of the name */
	uint32_t hash;
	/** first rule for the name itself */
	uint32_t exact;
	/** first rule for the names below it */
	uint32_t below;
};

/** The table. */
struct policy_table {
	/** hash slots, a power of two of them */
	struct policy_node* slots;
	/** slot count minus one */
	size_t mask;
	/** used slots */
	size_t nodes;
	/** bit depth_bit(d) set when a node has d labels (the root counted):
	 * a lookup probes no depth without one. Nodes are never removed, so
	 * it only grows. */
	uint64_t depths;
	/** wire names */
	uint8_t* arena;
	/** bytes used and allocated in the arena */
	size_t arena_len, arena_cap;
	/** rules */
	struct policy_rule* rules;
	/** rules used and allocated */
	size_t nrules, rules_cap;
	/** per rule, the arena offset of its name, POLICY_BELOW_BIT set for a
	 * "*." rule: the rules in their order, for policy_table_diff */
	uint32_t* names;
	/** earliest expiry of an allow rule, 0 if none */
	int64_t allow_expiry;
	/** earliest expiry of a rule whose answer the query stage stores in
	 * the cache (null MX, NODATA, NXDOMAIN), 0 if none */
	int64_t stored_expiry;
	/** whether the rules were added in ascending id order */
	int sorted;
	/** the table this one is a copy of (only compared, never followed),
	 * and how many rules it had: they are the first rules of this one */
	const struct policy_table* copy_of;
	/** that count */
	size_t copy_of_n;
	/** for a policy_table_replace of copy_of: the indices in copy_of of
	 * the rules it left out, and in this table of the rules it added, each
	 * in ascending id order; NULL otherwise */
	uint32_t* gone;
	/** the added ones */
	uint32_t* fresh;
	/** how many of each */
	size_t ngone, nfresh;
};

/** Bit of policy_table.names that marks a "*." rule. */
#define POLICY_BELOW_BIT 0x80000000u

/** FNV-1a offset basis. */
#define HASH_BASIS 2166136261u
/** FNV-1a prime. */
#define HASH_PRIME 16777619u

/** FNV-1a over a lowercase wire name, from its last byte to its first: the
 * hash of a name continues the hash of its parent, so a lookup gets the
 * hashes of a name and of all its ancestors in one pass over it. */
static uint32_t
name_hash(const uint8_t* name, size_t len)
{
	uint32_t h = HASH_BASIS;
	while(len)
		h = (h ^ name[--len]) * HASH_PRIME;
	return h;
}

/** The bit of policy_table.depths for names of d labels (the root counted);
 * names of 63 labels or more share the last one. */
static uint64_t
depth_bit(size_t d)
{
	return (uint64_t)1 << (d < 63 ? d : 63);
}

/** The number of labels of a wire name, the root counted. */
static size_t
name_labels(const uint8_t* name)
{
	size_t d = 1;
	for(; *name; name += *name + 1)
		d++;
	return d;
}

/** Ask for huge pages for a large array, before it is first written: a table
 * of a million rules is about 80 MB, and the first write of each of its 4 kB
 * pages (a page fault) cost more than building the table (280 ms against
 * 20 ms for an 80 MB copy, measured on the benchmark's VM). Lookups take
 * fewer TLB misses too. Only a hint: nothing changes where the kernel says no. */
static void
advise_huge(void* p, size_t len)
{
#ifdef MADV_HUGEPAGE
	uintptr_t start = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	uintptr_t end = ((uintptr_t)p + len) & ~(uintptr_t)(HUGE_PAGE - 1);
	if(len >= HUGE_MIN && end > start)
		(void)madvise((void*)start, end - start, MADV_HUGEPAGE);
#else
	(void)p;
	(void)len;
#endif
}

/** Grow an array to hold at least need elements; 0 on success. */
static int
grow(void** array, size_t* cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 64;
	void* p;
	if(need <= *cap)
		return 0;
	while(n < need)
		n *= 2;
	if(!(p = realloc(*array, n * elem)))
		return -1;
	advise_huge(p, n * elem);
	*array = p;
	*cap = n;
	return 0;
}

/** Grow the rule array and its names to hold at least need rules. */
static int
grow_rules(struct policy_table* t, size_t need)
{
	size_t cap = t->rules_cap;
	uint32_t* p;
	if(need <= t->rules_cap)
		return 0;
	if(grow((void**)&t->rules, &cap, need, sizeof(*t->rules)) != 0)
		return -1;
	if(!(p = realloc(t->names, cap * sizeof(*p))))
		return -1;	/* rules_cap stays: the next grow tries again */
	advise_huge(p, cap * sizeof(*p));
	t->names = p;
	t->rules_cap = cap;
	return 0;
}

/** Find the slot of a name: its node, or the empty slot where it belongs. */
static struct policy_node*
find_slot(const struct policy_table* t, const uint8_t* name, size_t len,
	uint32_t h)
{
	size_t i = h & t->mask;
	for(;;) {
		struct policy_node* n = &t->slots[i];
		if(n->name == SLOT_EMPTY || (n->hash == h &&
			dname_wire_len(t->arena + n->name) == len &&
			memcmp(t->arena + n->name, name, len) == 0))
			return n;
		i = (i + 1) & t->mask;
	}
}

/** Allocate the slot array for at least want nodes, at most half full. */
static int
alloc_slots(struct policy_table* t, size_t want)
{
	size_t n = 64;
	while(n < want * 2)
		n *= 2;
	/* zeroed: every slot empty, and no memory used until one is written
	 * (a database of answer-ip rules only leaves the index untouched) */
	if(!(t->slots = calloc(n, sizeof(*t->slots))))
		return -1;
	advise_huge(t->slots, n * sizeof(*t->slots));
	t->mask = n - 1;
	return 0;
}

/** Double the slot array and reinsert every node. */
static int
rehash(struct policy_table* t)
{
	struct policy_node* old = t->slots;
	size_t oldn = t->mask + 1, i;
	if(alloc_slots(t, oldn) != 0) {
		t->slots = old;
		return -1;
	}
	for(i = 0; i < oldn; i++) {
		if(old[i].name == SLOT_EMPTY)
			continue;
		*find_slot(t, t->arena + old[i].name,
			dname_wire_len(t->arena + old[i].name), old[i].hash) = old[i];
	}
	free(old);
	return 0;
}

/** The node of a name, added (with no rules) when the table has none;
 * NULL on malloc failure. */
static struct policy_node*
node_get(struct policy_table* t, const uint8_t* name, size_t namelen)
{
	uint32_t h = name_hash(name, namelen);
	struct policy_node* n;
	if((t->nodes + 1) * 2 > t->mask + 1 && rehash(t) != 0)
		return NULL;
	n = find_slot(t, name, namelen, h);
	if(n->name == SLOT_EMPTY) {
		if(grow((void**)&t->arena, &t->arena_cap, t->arena_len + namelen, 1) != 0)
			return NULL;
		memcpy(t->arena + t->arena_len, name, namelen);
		n->name = (uint32_t)t->arena_len;
		n->hash = h;
		n->exact = n->below = POLICY_NONE;
		t->arena_len += namelen;
		t->nodes++;
		t->depths |= depth_bit(name_labels(name));
	}
	return n;
}

/** Note the expiry of an allow rule, or of a rule whose answer is stored,
 * in the table's earliest one. */
static void
note_expiry(struct policy_table* t, const struct policy_rule* rule)
{
	int64_t* earliest = rule->action == PA_ALLOW ? &t->allow_expiry :
		rule->action == PA_NULLMX || rule->action == PA_NODATA ||
		rule->action == PA_NXDOMAIN ? &t->stored_expiry : NULL;
	if(earliest && rule->expires && (!*earliest ||
		rule->expires < *earliest))
		*earliest = rule->expires;
}

/** Put a rule at index i of the rule array (allocated) and at the head of
 * its list of node n. */
static void
link_rule(struct policy_table* t, struct policy_node* n, int below,
	const struct policy_rule* rule, size_t i)
{
	uint32_t* head = below ? &n->below : &n->exact;
	note_expiry(t, rule);
	t->names[i] = n->name | (below ? POLICY_BELOW_BIT : 0);
	t->rules[i] = *rule;
	t->rules[i].next = *head;
	*head = (uint32_t)i;
}

struct policy_table*
policy_table_create(size_t expected)
{
	struct policy_table* t = calloc(1, sizeof(*t));
	if(!t)
		return NULL;
	t->sorted = 1;
	if(alloc_slots(t, expected) != 0 || grow_rules(t, expected) != 0 ||
		grow((void**)&t->arena, &t->arena_cap, expected * 16 + 1, 1) != 0) {
		policy_table_delete(t);
		return NULL;
	}
	t->arena_len = 1;	/* offset 0 is SLOT_EMPTY, never a name */
	return t;
}

struct policy_table*
policy_table_copy(const struct policy_table* t, size_t extra)
{
	struct policy_table* c = calloc(1, sizeof(*c));
	size_t i;
	if(!c)
		return NULL;
	*c = *t;
	c->slots = NULL;
	c->arena = NULL;
	c->rules = NULL;
	c->names = NULL;
	c->rules_cap = c->arena_cap = 0;
	c->gone = c->fresh = NULL;
	c->ngone = c->nfresh = 0;
	c->copy_of = t;
	c->copy_of_n = t->nrules;
	if(grow_rules(c, t->nrules + extra + 1) != 0 ||
		grow((void**)&c->arena, &c->arena_cap, t->arena_len + extra * 64,
		1) != 0) {
		policy_table_delete(c);
		return NULL;
	}
	if(t->nrules > 0) {	/* an empty table has no arrays to copy */
		memcpy(c->rules, t->rules, t->nrules * sizeof(*t->rules));
		memcpy(c->names, t->names, t->nrules * sizeof(*t->names));
	}
	memcpy(c->arena, t->arena, t->arena_len);
	if((t->nodes + extra) * 2 <= t->mask + 1) {
		if(!(c->slots = malloc((t->mask + 1) * sizeof(*c->slots)))) {
			policy_table_delete(c);
			return NULL;
		}
		advise_huge(c->slots, (t->mask + 1) * sizeof(*c->slots));
		memcpy(c->slots, t->slots, (t->mask + 1) * sizeof(*c->slots));
		return c;
	}
	/* too full for the rules to come: a larger index */
	if(alloc_slots(c, t->nodes + extra) != 0) {
		policy_table_delete(c);
		return NULL;
	}
	for(i = 0; i <= t->mask; i++) {
		if(t->slots[i].name == SLOT_EMPTY)
			continue;
		*find_slot(c, c->arena + t->slots[i].name,
			dname_wire_len(c->arena + t->slots[i].name),
			t->slots[i].hash) = t->slots[i];
	}
	return c;
}

int
policy_table_has_room(const struct policy_table* t,
	const struct policy_table* more)
{
	return more->nrules <= POLICY_ADD_IN_PLACE_MAX &&
		t->nrules + more->nrules <= t->rules_cap &&
		t->arena_len + more->arena_len <= t->arena_cap &&
		(t->nodes + more->nodes + 1) * 2 <= t->mask + 1;
}

int
policy_table_add_all(struct policy_table* t, const struct policy_table* more)
{
	size_t i;
	for(i = 0; i < more->nrules; i++) {
		const uint8_t* name = more->arena +
			(more->names[i] & ~POLICY_BELOW_BIT);
		if(policy_table_add(t, name, dname_wire_len(name),
			(more->names[i] & POLICY_BELOW_BIT) != 0,
			&more->rules[i]) != 0)
			return -1;
	}
	return 0;
}

/** A rule of a table and its id, to put rules in id order. */
struct rule_ref {
	/** the rule's id */
	int64_t id;
	/** its index */
	uint32_t i;
};

/** qsort order of rule_refs: ascending id. */
static int
rule_ref_cmp(const void* a, const void* b)
{
	int64_t x = ((const struct rule_ref*)a)->id;
	int64_t y = ((const struct rule_ref*)b)->id;
	return x < y ? -1 : x > y;
}

/** The indices refs[0..n) in ascending id order (sorted: they are), in a
 * new array; NULL on malloc failure (n = 0 gives an array too). */
static uint32_t*
ref_indices(struct rule_ref* refs, size_t n, int sorted)
{
	uint32_t* out = malloc((n ? n : 1) * sizeof(*out));
	size_t k;
	if(!out)
		return NULL;
	if(!sorted)
		qsort(refs, n, sizeof(*refs), rule_ref_cmp);
	for(k = 0; k < n; k++)
		out[k] = refs[k].i;
	return out;
}

/** Whether id is one of the ascending ids[0..n). */
static int
id_listed(const int64_t* ids, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;
	while(lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if(ids[mid] < id)
			lo = mid + 1;
		else	hi = mid;
	}
	return lo < n && ids[lo] == id;
}

/** Mark in keep[] (0) the rules of t whose id is listed, and note them in
 * gone[] (room for nids); returns how many, or -1 when an id has more than
 * one rule (never in a table of one rule per row). */
static long
mark_gone(const struct policy_table* t, const int64_t* ids, size_t nids,
	uint8_t* keep, struct rule_ref* gone)
{
	size_t i, n = 0;
	for(i = 0; i < t->nrules; i++) {
		keep[i] = !id_listed(ids, nids, t->rules[i].id);
		if(!keep[i] && n < nids) {
			gone[n].id = t->rules[i].id;
			gone[n++].i = (uint32_t)i;
		} else if(!keep[i])
			return -1;	/* an id twice: not one rule per row */
	}
	return (long)n;
}

/** The new index of the first rule kept on t's list from old index r on,
 * or POLICY_NONE. */
static uint32_t
kept_next(const struct policy_table* t, const uint32_t* map, uint32_t r)
{
	while(r != POLICY_NONE && map[r] == POLICY_NONE)
		r = t->rules[r].next;
	return r == POLICY_NONE ? POLICY_NONE : map[r];
}

/** Allocate the arrays of c (a replace of t by more): rules for n, the
 * arena and the index of t with room for more's. 0 on success. */
static int
replace_alloc(struct policy_table* c, const struct policy_table* t,
	const struct policy_table* more, size_t n)
{
	size_t i;
	if(grow_rules(c, n + 1) != 0 || grow((void**)&c->arena, &c->arena_cap,
		t->arena_len + more->arena_len + 1, 1) != 0)
		return -1;
	memcpy(c->arena, t->arena, t->arena_len);
	c->arena_len = t->arena_len;
	if((t->nodes + more->nodes + 1) * 2 <= t->mask + 1) {
		if(!(c->slots = malloc((t->mask + 1) * sizeof(*c->slots))))
			return -1;
		advise_huge(c->slots, (t->mask + 1) * sizeof(*c->slots));
		memcpy(c->slots, t->slots, (t->mask + 1) * sizeof(*c->slots));
		c->mask = t->mask;
		return 0;
	}
	if(alloc_slots(c, t->nodes + more->nodes + 1) != 0)
		return -1;
	for(i = 0; i <= t->mask; i++)
		if(t->slots[i].name != SLOT_EMPTY)
			*find_slot(c, c->arena + t->slots[i].name,
				dname_wire_len(c->arena + t->slots[i].name),
				t->slots[i].hash) = t->slots[i];
	return 0;
}

/** Fill c with the kept rules of t (keep[]) and the rules of more, merged
 * in id order when both tables are in it; fresh[] gets where more's went.
 * 0 on success, -1 on malloc failure. */
static int
replace_fill(struct policy_table* c, const struct policy_table* t,
	const uint8_t* keep, const struct policy_table* more,
	struct rule_ref* fresh, uint32_t* map)
{
	size_t i = 0, j = 0, k = 0;
	int merge = t->sorted && more->sorted;
	while(i < t->nrules || j < more->nrules) {
		if(j < more->nrules && (i == t->nrules || (merge &&
			more->rules[j].id < t->rules[i].id))) {
			fresh[j].id = more->rules[j].id;
			fresh[j++].i = (uint32_t)k++;
		} else {
			map[i] = keep[i] ? (uint32_t)k++ : POLICY_NONE;
			i++;
		}
	}
	for(i = 0; i < t->nrules; i++) {
		if(map[i] == POLICY_NONE)
			continue;
		c->rules[map[i]] = t->rules[i];
		c->rules[map[i]].next = kept_next(t, map, t->rules[i].next);
		c->names[map[i]] = t->names[i];
		note_expiry(c, &t->rules[i]);
	}
	for(i = 0; i <= c->mask; i++) {
		if(c->slots[i].name == SLOT_EMPTY)
			continue;
		c->slots[i].exact = kept_next(t, map, c->slots[i].exact);
		c->slots[i].below = kept_next(t, map, c->slots[i].below);
	}
	for(j = 0; j < more->nrules; j++) {
		const uint8_t* name = more->arena +
			(more->names[j] & ~POLICY_BELOW_BIT);
		struct policy_node* n = node_get(c, name, dname_wire_len(name));
		if(!n)
			return -1;
		link_rule(c, n, (more->names[j] & POLICY_BELOW_BIT) != 0,
			&more->rules[j], fresh[j].i);
	}
	c->nrules = k;
	c->sorted = merge;
	return 0;
}

struct policy_table*
policy_table_replace(const struct policy_table* t, const int64_t* ids,
	size_t nids, const struct policy_table* more)
{
	struct policy_table* c = calloc(1, sizeof(*c));
	uint8_t* keep = malloc(t->nrules + 1);
	uint32_t* map = malloc((t->nrules + 1) * sizeof(*map));
	struct rule_ref* gone = malloc((nids + 1) * sizeof(*gone));
	struct rule_ref* fresh = malloc((more->nrules + 1) * sizeof(*fresh));
	long ngone;
	if(!c || !keep || !map || !gone || !fresh ||
		(ngone = mark_gone(t, ids, nids, keep, gone)) < 0 ||
		replace_alloc(c, t, more, t->nrules - (size_t)ngone +
		more->nrules) != 0)
		goto fail;
	c->nodes = t->nodes;
	c->depths = t->depths;
	if(replace_fill(c, t, keep, more, fresh, map) != 0 ||
		!(c->gone = ref_indices(gone, (size_t)ngone, t->sorted)) ||
		!(c->fresh = ref_indices(fresh, more->nrules, more->sorted)))
		goto fail;
	c->ngone = (size_t)ngone;
	c->nfresh = more->nrules;
	c->copy_of = t;
	c->copy_of_n = t->nrules;
	free(keep);
	free(map);
	free(gone);
	free(fresh);
	return c;
fail:
	policy_table_delete(c);
	free(keep);
	free(map);
	free(gone);
	free(fresh);
	return NULL;
}

void
policy_table_delete(struct policy_table* t)
{
	if(!t)
		return;
	free(t->slots);
	free(t->arena);
	free(t->rules);
	free(t->names);
	free(t->gone);
	free(t->fresh);
	free(t);
}

int
policy_table_add(struct policy_table* t, const uint8_t* name, size_t namelen,
	int below, const struct policy_rule* rule)
{
	struct policy_node* n;
	if(grow_rules(t, t->nrules + 1) != 0 ||
		!(n = node_get(t, name, namelen)))
		return -1;
	if(t->nrules && rule->id <= t->rules[t->nrules - 1].id)
		t->sorted = 0;
	link_rule(t, n, below, rule, t->nrules++);
	return 0;
}

/** Whether rule a takes precedence over rule b (b may be NULL). */
static int
better(const struct policy_rule* a, const struct policy_rule* b)
{
	if(!b)
		return 1;
	if((a->type != POLICY_TYPE_ALL) != (b->type != POLICY_TYPE_ALL))
		return a->type != POLICY_TYPE_ALL;
	if((a->action == PA_ALLOW) != (b->action == PA_ALLOW))
		return a->action == PA_ALLOW;
	return a->id < b->id;
}

const struct policy_rule*
policy_rule_pick(const struct policy_rule* rules, uint32_t i, uint16_t type,
	time_t now, int mailhost)
{
	const struct policy_rule* best = NULL;
	for(; i != POLICY_NONE; i = rules[i].next) {
		const struct policy_rule* r = &rules[i];
		if(r->type != type && r->type != POLICY_TYPE_ALL)
			continue;
		if(r->expires && r->expires <= (int64_t)now)
			continue;
		if((r->flags & POLICY_FLAG_MAILHOST) && !mailhost)
			continue;
		if(better(r, best))
			best = r;
	}
	return best;
}

/** The node of a name, or NULL. */
static const struct policy_node*
find_node(const struct policy_table* t, const uint8_t* name)
{
	size_t len = dname_wire_len(name);
	const struct policy_node* n = find_slot(t, name, len, name_hash(name, len));
	return n->name == SLOT_EMPTY ? NULL : n;
}

/** Most labels of a wire name: 127 labels of one octet, and the root. */
#define LABELS_MAX 128

const struct policy_rule*
policy_table_lookup(const struct policy_table* t, const uint8_t* qname,
	uint16_t qtype, time_t now, const uint8_t** apex)
{
	/* per label, from the name itself to the root: the offset of the
	 * suffix that starts there, and the hash of that suffix */
	size_t off[LABELS_MAX];
	uint32_t hash[LABELS_MAX];
	const struct policy_node* n;
	const struct policy_rule* r;
	size_t nlabels = 0, len, i, k;
	uint32_t h = HASH_BASIS;
	if(!t || t->nrules == 0)
		return NULL;
	for(len = 0; ; len += (size_t)qname[len] + 1) {
		if(nlabels == LABELS_MAX)
			return NULL;	/* longer than a wire name can be */
		off[nlabels++] = len;
		if(!qname[len])
			break;
	}
	len++;
	/* name_hash of every suffix in one backward pass */
	for(i = nlabels, k = len; i-- > 0; ) {
		while(k > off[i])
			h = (h ^ qname[--k]) * HASH_PRIME;
		hash[i] = h;
	}
	if((t->depths & depth_bit(nlabels)) &&
		(n = find_slot(t, qname, len, hash[0]))->name != SLOT_EMPTY &&
		(r = policy_rule_pick(t->rules, n->exact, qtype, now, 0))) {
		if(apex)
			*apex = qname;
		return r;
	}
	for(i = 1; i < nlabels; i++) {
		if(!(t->depths & depth_bit(nlabels - i)))
			continue;	/* no node has that many labels */
		n = find_slot(t, qname + off[i], len - off[i], hash[i]);
		if(n->name != SLOT_EMPTY && (r = policy_rule_pick(t->rules,
			n->below, qtype, now, 0))) {
			if(apex)
				*apex = qname + off[i];
			return r;
		}
	}
	return NULL;
}

void
policy_table_walk(const struct policy_table* t, policy_walk_func* fn,
	void* arg)
{
	size_t i;
	uint32_t r;
	if(!t)
		return;
	for(i = 0; i <= t->mask; i++) {
		const struct policy_node* n = &t->slots[i];
		if(n->name == SLOT_EMPTY)
			continue;
		for(r = n->exact; r != POLICY_NONE; r = t->rules[r].next)
			fn(t->arena + n->name, 0, &t->rules[r], arg);
		for(r = n->below; r != POLICY_NONE; r = t->rules[r].next)
			fn(t->arena + n->name, 1, &t->rules[r], arg);
	}
}

int
policy_table_has(const struct policy_table* t, const uint8_t* name,
	int below, const struct policy_rule* rule)
{
	const struct policy_node* n;
	uint32_t r;
	if(!t || t->nrules == 0 || !(n = find_node(t, name)))
		return 0;
	for(r = below ? n->below : n->exact; r != POLICY_NONE;
		r = t->rules[r].next) {
		const struct policy_rule* x = &t->rules[r];
		if(x->id == rule->id && x->type == rule->type &&
			x->action == rule->action && x->expires == rule->expires)
			return 1;
	}
	return 0;
}

/** Whether rule ra of table a and rule rb of table b are the same rule: same
 * id, type, action, flags and expiry, for the same name and kind. */
static int
same_rule(const struct policy_table* a, size_t ra, const struct policy_table* b,
	size_t rb)
{
	const struct policy_rule* x = &a->rules[ra];
	const struct policy_rule* y = &b->rules[rb];
	const uint8_t* na = a->arena + (a->names[ra] & ~POLICY_BELOW_BIT);
	const uint8_t* nb = b->arena + (b->names[rb] & ~POLICY_BELOW_BIT);
	size_t len;
	if(x->id != y->id || x->type != y->type || x->action != y->action ||
		x->flags != y->flags || x->expires != y->expires ||
		(a->names[ra] & POLICY_BELOW_BIT) != (b->names[rb] & POLICY_BELOW_BIT))
		return 0;
	len = dname_wire_len(na);
	return len == dname_wire_len(nb) && memcmp(na, nb, len) == 0;
}

/** Call fn for rule r of table t. */
static void
call_rule(const struct policy_table* t, size_t r, policy_diff_func* fn,
	int added, void* arg)
{
	fn(t->arena + (t->names[r] & ~POLICY_BELOW_BIT),
		(t->names[r] & POLICY_BELOW_BIT) != 0, &t->rules[r], added, arg);
}

/** The index of the k-th rule of a sequence: idx[k], or k itself when
 * idx is NULL (every rule of the table, in order). */
static size_t
seq_at(const uint32_t* idx, size_t k)
{
	return idx ? idx[k] : k;
}

/** Compare two sequences of rules in ascending id order (an id is one
 * row): one merge. */
static void
merge_diff(const struct policy_table* before, const uint32_t* bi, size_t nb,
	const struct policy_table* after, const uint32_t* ai, size_t na,
	policy_diff_func* fn, void* arg)
{
	size_t i = 0, j = 0;
	while(i < nb || j < na) {
		size_t x = i < nb ? seq_at(bi, i) : 0;
		size_t y = j < na ? seq_at(ai, j) : 0;
		if(j == na || (i < nb && before->rules[x].id <
			after->rules[y].id)) {
			call_rule(before, x, fn, 0, arg);
			i++;
		} else if(i == nb || after->rules[y].id < before->rules[x].id) {
			call_rule(after, y, fn, 1, arg);
			j++;
		} else {
			if(!same_rule(before, x, after, y)) {
				call_rule(before, x, fn, 0, arg);
				call_rule(after, y, fn, 1, arg);
			}
			i++;
			j++;
		}
	}
}

int
policy_table_diff(const struct policy_table* before,
	const struct policy_table* after, policy_diff_func* fn, void* arg)
{
	size_t j;
	size_t nb = before ? before->nrules : 0, na = after ? after->nrules : 0;
	if(before && after && after->copy_of == before &&
		after->copy_of_n == nb) {
		if(after->gone) {
			/* a replace of rules of before: only they can differ */
			merge_diff(before, after->gone, after->ngone, after,
				after->fresh, after->nfresh, fn, arg);
			return 0;
		}
		/* a copy of before with rules added: they are the difference */
		for(j = nb; j < na; j++)
			call_rule(after, j, fn, 1, arg);
		return 0;
	}
	if((nb && !before->sorted) || (na && !after->sorted))
		return -1;
	merge_diff(before, NULL, nb, after, NULL, na, fn, arg);
	return 0;
}

int64_t
policy_table_allow_expiry(const struct policy_table* t)
{
	return t ? t->allow_expiry : 0;
}

int64_t
policy_table_stored_expiry(const struct policy_table* t)
{
	return t ? t->stored_expiry : 0;
}

size_t
policy_table_count(const struct policy_table* t)
{
	return t ? t->nrules : 0;
}

size_t
policy_table_mem(const struct policy_table* t)
{
	if(!t)
		return 0;
	return sizeof(*t) + (t->mask + 1) * sizeof(*t->slots) + t->arena_cap +
		t->rules_cap * (sizeof(*t->rules) + sizeof(*t->names));
}
