#include "p9_fid_table.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "p9_message.h"

#define NONE (-1)

/* Guests number fids densely from 0 (Linux does); a multiplicative hash spreads any pattern. */
static unsigned int bucket_of(uint32_t number)
{
	return (unsigned int)((number * 2654435761u) >> 22) % P9_FID_BUCKETS;
}

void p9_fid_table_init(struct p9_fid_table *table)
{
	for (unsigned int i = 0; i < P9_FID_BUCKETS; i++)
		table->buckets[i] = NONE;
	for (int32_t i = 0; i < P9_MAX_FIDS; i++)
		table->fids[i] = (struct p9_fid){ .fd = -1, .next = i + 1 < P9_MAX_FIDS ? i + 1 : NONE };
	table->free_list = 0;
	table->count = 0;
}

struct p9_fid *p9_fid_find(struct p9_fid_table *table, uint32_t number)
{
	for (int32_t i = table->buckets[bucket_of(number)]; i != NONE; i = table->fids[i].next)
		if (table->fids[i].number == number)
			return &table->fids[i];
	return NULL;
}

int p9_fid_add(struct p9_fid_table *table, uint32_t number, char *path, struct p9_fid **fid)
{
	unsigned int bucket = bucket_of(number);
	int32_t index = table->free_list;
	struct p9_fid *entry;

	*fid = NULL;
	if (number == P9_NOFID || p9_fid_find(table, number)) {
		free(path);
		return EINVAL;
	}
	if (index == NONE) {
		free(path);
		return EMFILE;
	}
	entry = &table->fids[index];
	table->free_list = entry->next;
	*entry = (struct p9_fid){ .number = number, .in_use = true, .fd = -1, .path = path,
				  .next = table->buckets[bucket] };
	table->buckets[bucket] = index;
	table->count++;
	*fid = entry;
	return 0;
}

void p9_fid_release(struct p9_fid_table *table, struct p9_fid *fid)
{
	int32_t index = (int32_t)(fid - table->fids);
	int32_t *link = &table->buckets[bucket_of(fid->number)];

	while (*link != NONE && *link != index)
		link = &table->fids[*link].next;
	if (*link == index)
		*link = fid->next;
	if (fid->fd >= 0)
		close(fid->fd);
	free(fid->path);
	*fid = (struct p9_fid){ .fd = -1, .next = table->free_list };
	table->free_list = index;
	table->count--;
}

void p9_fid_table_clear(struct p9_fid_table *table)
{
	for (unsigned int i = 0; i < P9_MAX_FIDS; i++)
		if (table->fids[i].in_use)
			p9_fid_release(table, &table->fids[i]);
}
