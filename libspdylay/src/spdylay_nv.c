/*
 * spdylay_nv.c: the header-block layer (see spdylay_nv.h): SPDY/2's names,
 * copying, sorting and validating name/value lists, and packing and
 * parsing the (compressed) name/value header blocks.
 */
#include "spdylay_nv.h"

#include <string.h>

#include "spdylay_frame.h"
#include "spdylay_helper.h"

/* SPDY/2 header blocks count and measure in 16 bits. */
#define SPDYLAY_SPDY2_NV_MAX 0xffff

/* Up to this many name/value pairs, quadratic methods beat allocating. */
#define SPDYLAY_NV_SMALL_COUNT 16

/*
 * SPDY/2 spells the request and status lines without the colon, and calls
 * the path "url".  Applications always see the SPDY/3 names.
 */
typedef struct {
  const char *spdy3;
  const char *spdy2;
  size_t spdy3len;
  size_t spdy2len;
} spdylay_spdy2_name;

static const spdylay_spdy2_name spdy2_names[] = {
    {":host", "host", 5, 4},     {":method", "method", 7, 6},
    {":path", "url", 5, 3},      {":scheme", "scheme", 7, 6},
    {":status", "status", 7, 6}, {":version", "version", 8, 7}};

#define SPDYLAY_SPDY2_NAME_COUNT (sizeof(spdy2_names) / sizeof(spdy2_names[0]))

static int is_spdy2(uint16_t wire_version)
{
  return wire_version == SPDYLAY_PROTO_SPDY2;
}

/*
 * Name/value lists
 */

/* The name |name| goes on the wire as. */
static const char *wire_name(const char *name, int spdy2)
{
  size_t i;
  if (!spdy2 || name[0] != ':') {
    return name;
  }
  /* This runs inside sort comparisons: look at one byte before strcmp. */
  for (i = 0; i < SPDYLAY_SPDY2_NAME_COUNT; ++i) {
    if (name[1] == spdy2_names[i].spdy3[1] &&
        strcmp(name, spdy2_names[i].spdy3) == 0) {
      return spdy2_names[i].spdy2;
    }
  }
  return name;
}

static int pair_cmp(const char *a, const char *b, int spdy2)
{
  if (!spdy2) {
    return strcmp(a, b);
  }
  return strcmp(wire_name(a, 1), wire_name(b, 1));
}

static int nv_pairs_sorted(char **nv, size_t npairs, int spdy2)
{
  size_t i;
  for (i = 1; i < npairs; ++i) {
    if (pair_cmp(nv[2 * i - 2], nv[2 * i], spdy2) > 0) {
      return 0;
    }
  }
  return 1;
}

static void nv_insertion_sort(char **nv, size_t npairs, int spdy2)
{
  size_t i, j;
  for (i = 1; i < npairs; ++i) {
    char *name = nv[2 * i];
    char *value = nv[2 * i + 1];
    for (j = i; j > 0 && pair_cmp(nv[2 * j - 2], name, spdy2) > 0; --j) {
      nv[2 * j] = nv[2 * j - 2];
      nv[2 * j + 1] = nv[2 * j - 1];
    }
    nv[2 * j] = name;
    nv[2 * j + 1] = value;
  }
}

/* Stable merge of pairs [lo, mid) and [mid, hi) of |src| into |dst|. */
static void nv_merge(char **dst, char **src, size_t lo, size_t mid, size_t hi,
                     int spdy2)
{
  size_t i = lo, j = mid, k = lo;
  while (i < mid || j < hi) {
    size_t from;
    if (j == hi || (i < mid && pair_cmp(src[2 * i], src[2 * j], spdy2) <= 0)) {
      from = i++;
    } else {
      from = j++;
    }
    dst[2 * k] = src[2 * from];
    dst[2 * k + 1] = src[2 * from + 1];
    ++k;
  }
}

static int nv_merge_sort(char **nv, size_t npairs, int spdy2)
{
  char **tmp, **src, **dst;
  size_t width;
  tmp = malloc(npairs * 2 * sizeof(char *));
  if (tmp == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  src = nv;
  dst = tmp;
  for (width = 1; width < npairs; width *= 2) {
    size_t lo;
    char **swap;
    for (lo = 0; lo < npairs; lo += 2 * width) {
      size_t mid = spdylay_min(lo + width, npairs);
      size_t hi = spdylay_min(lo + 2 * width, npairs);
      nv_merge(dst, src, lo, mid, hi, spdy2);
    }
    swap = src;
    src = dst;
    dst = swap;
  }
  if (src != nv) {
    memcpy(nv, src, npairs * 2 * sizeof(char *));
  }
  free(tmp);
  return 0;
}

/* Sorts the pairs of |nv| by wire name, keeping the order of equal names
   (it is the order of their values).  Already sorted lists cost one pass. */
static int nv_sort(char **nv, size_t npairs, int spdy2)
{
  if (nv_pairs_sorted(nv, npairs, spdy2)) {
    return 0;
  }
  if (npairs <= SPDYLAY_NV_SMALL_COUNT) {
    nv_insertion_sort(nv, npairs, spdy2);
    return 0;
  }
  return nv_merge_sort(nv, npairs, spdy2);
}

/* Equal names are joined with NUL on the wire, where an empty value among
   several would read as a malformed value: refuse it up front. */
static int nv_check_joined_values(char **nv, size_t npairs, int spdy2)
{
  size_t i, j;
  for (i = 0; i < npairs; i = j) {
    int empty = nv[2 * i + 1][0] == '\0';
    for (j = i + 1; j < npairs && pair_cmp(nv[2 * i], nv[2 * j], spdy2) == 0;
         ++j) {
      empty |= nv[2 * j + 1][0] == '\0';
    }
    if (j - i > 1 && empty) {
      return SPDYLAY_ERR_INVALID_ARGUMENT;
    }
  }
  return 0;
}

/* Sorts |nv| (SPDY/3 order) and checks its joined values.  A sorted list
   whose names all differ, the usual case, takes one pass of comparisons. */
static int nv_sort_and_check(char **nv, size_t npairs)
{
  size_t i;
  for (i = 1; i < npairs; ++i) {
    if (strcmp(nv[2 * i - 2], nv[2 * i]) >= 0) {
      int rv = nv_sort(nv, npairs, 0);
      return rv != 0 ? rv : nv_check_joined_values(nv, npairs, 0);
    }
  }
  return 0;
}

int spdylay_nv_copy(char ***nv_ptr, const char **nv)
{
  size_t i, npairs, strbytes = 0, arraylen;
  char **copy;
  char *p;
  int rv;

  if (nv == NULL) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  for (i = 0; nv[i] != NULL; i += 2) {
    size_t namelen, valuelen;
    if (nv[i + 1] == NULL || nv[i][0] == '\0') {
      return SPDYLAY_ERR_INVALID_ARGUMENT;
    }
    namelen = strlen(nv[i]);
    valuelen = strlen(nv[i + 1]);
    if (namelen > SPDYLAY_MAX_FRAME_LENGTH ||
        valuelen > SPDYLAY_MAX_FRAME_LENGTH ||
        strbytes > SIZE_MAX - namelen - valuelen - 2) {
      return SPDYLAY_ERR_INVALID_ARGUMENT;
    }
    strbytes += namelen + valuelen + 2;
  }
  npairs = i / 2;
  arraylen = (npairs * 2 + 1) * sizeof(char *);
  if (strbytes > SIZE_MAX - arraylen) {
    return SPDYLAY_ERR_NOMEM;
  }
  copy = malloc(arraylen + strbytes);
  if (copy == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  p = (char *)copy + arraylen;
  for (i = 0; i < npairs * 2; i += 2) {
    const char *s;
    size_t valuelen;
    copy[i] = p;
    for (s = nv[i]; *s; ++s) {
      *p++ = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
    }
    *p++ = '\0';
    copy[i + 1] = p;
    valuelen = strlen(nv[i + 1]) + 1;
    memcpy(p, nv[i + 1], valuelen);
    p += valuelen;
  }
  copy[npairs * 2] = NULL;

  rv = nv_sort_and_check(copy, npairs);
  if (rv != 0) {
    free(copy);
    return rv;
  }
  *nv_ptr = copy;
  return 0;
}

void spdylay_nv_del(char **nv)
{
  free(nv);
}

/*
 * Header block packing
 */

static size_t nv_length_size(int spdy2)
{
  return spdy2 ? 2 : 4;
}

static uint8_t *put_nv_length(uint8_t *p, size_t n, int spdy2)
{
  if (spdy2) {
    spdylay_put_uint16be(p, (uint16_t)n);
    return p + 2;
  }
  spdylay_put_uint32be(p, (uint32_t)n);
  return p + 4;
}

/* A pair of a list being packed: the lengths of its wire name, 0 when
   the name is the previous pair's (their values are joined), and of its
   value. */
typedef struct {
  size_t namelen;
  size_t valuelen;
} spdylay_nv_pair_len;

/* Measures the header block |nv| (sorted) will make, refusing what the
   wire cannot carry, and fills |lens| for write_nv_block().  The ceiling
   is the frame's: whatever passes here compresses into a 24-bit length. */
static int measure_nv_block(size_t *blocklen_ptr, spdylay_nv_pair_len *lens,
                            char **nv, size_t npairs, int spdy2)
{
  size_t lensize = nv_length_size(spdy2);
  size_t blocklen = lensize;
  size_t ngroups = 0;
  size_t i, j;
  for (i = 0; i < npairs; i = j) {
    size_t namelen = strlen(wire_name(nv[2 * i], spdy2));
    size_t valuelen = 0;
    int empty = 0;
    for (j = i;
         j < npairs && (j == i || pair_cmp(nv[2 * i], nv[2 * j], spdy2) == 0);
         ++j) {
      size_t len = strlen(nv[2 * j + 1]);
      if (len > SPDYLAY_MAX_FRAME_LENGTH) {
        return SPDYLAY_ERR_INVALID_ARGUMENT;
      }
      lens[j].namelen = j == i ? namelen : 0;
      lens[j].valuelen = len;
      empty |= len == 0;
      valuelen += len + (j > i);
      if (valuelen > SPDYLAY_MAX_FRAME_LENGTH) {
        return SPDYLAY_ERR_INVALID_ARGUMENT;
      }
    }
    if (namelen == 0 || namelen > SPDYLAY_MAX_FRAME_LENGTH ||
        (j - i > 1 && empty)) {
      return SPDYLAY_ERR_INVALID_ARGUMENT;
    }
    if (spdy2 &&
        (namelen > SPDYLAY_SPDY2_NV_MAX || valuelen > SPDYLAY_SPDY2_NV_MAX)) {
      return SPDYLAY_ERR_INVALID_ARGUMENT;
    }
    blocklen += 2 * lensize + namelen + valuelen;
    if (blocklen > SPDYLAY_MAX_FRAME_LENGTH) {
      return SPDYLAY_ERR_INVALID_ARGUMENT;
    }
    ++ngroups;
  }
  if (spdy2 && ngroups > SPDYLAY_SPDY2_NV_MAX) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  *blocklen_ptr = blocklen;
  return 0;
}

static void write_nv_block(uint8_t *p, char **nv,
                           const spdylay_nv_pair_len *lens, size_t npairs,
                           int spdy2)
{
  size_t i, j, ngroups = 0;
  uint8_t *countp = p;
  p += nv_length_size(spdy2);
  for (i = 0; i < npairs; i = j) {
    size_t valuelen = 0;
    uint8_t *valuelenp;
    p = put_nv_length(p, lens[i].namelen, spdy2);
    memcpy(p, wire_name(nv[2 * i], spdy2), lens[i].namelen);
    p += lens[i].namelen;
    valuelenp = p;
    p += nv_length_size(spdy2);
    for (j = i; j < npairs && (j == i || lens[j].namelen == 0); ++j) {
      if (j > i) {
        *p++ = '\0';
        ++valuelen;
      }
      memcpy(p, nv[2 * j + 1], lens[j].valuelen);
      p += lens[j].valuelen;
      valuelen += lens[j].valuelen;
    }
    put_nv_length(valuelenp, valuelen, spdy2);
    ++ngroups;
  }
  put_nv_length(countp, ngroups, spdy2);
}

/* Builds and compresses the header block of |nv| into *buf_ptr at
   |offset|, after the frame's head and fixed fields.  Returns the
   compressed length or a negative error code. */
ssize_t spdylay_nv_pack_block(uint8_t **buf_ptr, size_t *buflen_ptr,
                              size_t offset, char **nv, uint16_t wire_version,
                              spdylay_zlib *deflater)
{
  int spdy2 = is_spdy2(wire_version);
  size_t npairs = 0, blocklen = 0, bound = 0;
  spdylay_nv_pair_len small_lens[SPDYLAY_NV_SMALL_COUNT];
  spdylay_nv_pair_len *lens = small_lens;
  uint8_t *block = NULL;
  int rv;

  if (spdylay_frame_wire_version(deflater->version) != wire_version) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  if (nv != NULL) {
    while (nv[npairs * 2] != NULL) {
      ++npairs;
    }
  }
  rv = nv_sort(nv, npairs, spdy2);
  if (rv != 0) {
    return rv;
  }
  if (npairs > SPDYLAY_NV_SMALL_COUNT) {
    lens = malloc(npairs * sizeof(spdylay_nv_pair_len));
    if (lens == NULL) {
      return SPDYLAY_ERR_NOMEM;
    }
  }
  rv = measure_nv_block(&blocklen, lens, nv, npairs, spdy2);
  if (rv == 0) {
    /* Checked before deflating: a refused block must leave the deflater
       untouched, or the peer's inflater falls out of step. */
    bound = spdylay_zlib_deflate_hd_bound(deflater, blocklen);
    if (bound >
        SPDYLAY_MAX_FRAME_LENGTH - (offset - SPDYLAY_FRAME_HEAD_LENGTH)) {
      rv = SPDYLAY_ERR_INVALID_ARGUMENT;
    }
  }
  if (rv == 0) {
    /* The plain block is staged past the compressed area of the same
       buffer, which saves a second buffer per send. */
    rv = spdylay_reserve_buffer(buf_ptr, buflen_ptr, offset + bound + blocklen);
  }
  if (rv == 0) {
    block = *buf_ptr + offset + bound;
    write_nv_block(block, nv, lens, npairs, spdy2);
  }
  if (lens != small_lens) {
    free(lens);
  }
  if (rv != 0) {
    return rv;
  }
  return spdylay_zlib_deflate_hd(deflater, *buf_ptr + offset, bound, block,
                                 blocklen);
}

/*
 * Header block unpacking
 */

static size_t get_nv_length(const uint8_t *p, int spdy2)
{
  return spdy2 ? spdylay_get_uint16(p) : spdylay_get_uint32(p);
}

/* The index in spdy2_names of the SPDY/3 name that the SPDY/2 wire name
   |name| stands for, whether spelled the SPDY/2 way (*translated set) or
   literally; -1 for any other name. */
static int spdy2_name_index(const uint8_t *name, size_t namelen,
                            int *translated)
{
  size_t i;
  for (i = 0; i < SPDYLAY_SPDY2_NAME_COUNT; ++i) {
    if (namelen == spdy2_names[i].spdy2len &&
        memcmp(name, spdy2_names[i].spdy2, namelen) == 0) {
      *translated = 1;
      return (int)i;
    }
    if (namelen == spdy2_names[i].spdy3len &&
        memcmp(name, spdy2_names[i].spdy3, namelen) == 0) {
      *translated = 0;
      return (int)i;
    }
  }
  return -1;
}

static int bytes_cmp(const uint8_t *a, size_t alen, const uint8_t *b,
                     size_t blen)
{
  int rv = memcmp(a, b, spdylay_min(alen, blen));
  if (rv != 0) {
    return rv;
  }
  return alen < blen ? -1 : alen > blen;
}

static int is_valid_name(const uint8_t *name, size_t namelen)
{
  size_t i;
  for (i = 0; i < namelen; ++i) {
    if (name[i] == '\0' || (name[i] >= 'A' && name[i] <= 'Z')) {
      return 0;
    }
  }
  return 1;
}

/* Returns how many values a wire value holds, or 0 if a NUL-separated
   segment is empty.  An empty value on its own is one value. */
static size_t count_values(const uint8_t *value, size_t valuelen)
{
  size_t nvalues = 1;
  const uint8_t *end = value + valuelen;
  const uint8_t *nul;
  if (valuelen == 0) {
    return 1;
  }
  while ((nul = memchr(value, '\0', (size_t)(end - value))) != NULL) {
    if (nul == value) {
      return 0;
    }
    ++nvalues;
    value = nul + 1;
  }
  return value == end ? 0 : nvalues;
}

typedef struct {
  /* Name/value pairs on the wire. */
  size_t npairs;
  /* nv entries once values are split. */
  size_t nentries;
  /* Bytes of names and values, NULs included, after translation. */
  size_t strbytes;
  /* Bytes of every entry's name and value, as the decoded list holds
     them (a name once per value, separators not counted). */
  size_t listbytes;
  /* Wire names strictly ascending, hence all distinct. */
  int ascending;
} spdylay_nv_block_shape;

/* Whether a decoded list of |nentries| entries and |listbytes| bytes is
   past the limits. */
static int nv_over_limits(const spdylay_nv_limits *limits, size_t nentries,
                          size_t listbytes)
{
  return (limits->max_entries != 0 && nentries > limits->max_entries) ||
         (limits->max_bytes != 0 && listbytes > limits->max_bytes);
}

/* The bytes a pair's entries take in the decoded list: its name once per
   value, plus the values without their separators.  Saturates. */
static size_t pair_list_bytes(size_t namelen, size_t valuelen, size_t nvalues)
{
  size_t namebytes =
      namelen > SIZE_MAX / nvalues ? SIZE_MAX : namelen * nvalues;
  size_t valuebytes = valuelen - (nvalues - 1);
  return namebytes > SIZE_MAX - valuebytes ? SIZE_MAX : namebytes + valuebytes;
}

/* Checks every count and length against the bytes left before reading
   past it, and every name and value, and sizes the nv to build.  Stops
   with SPDYLAY_ERR_HEADER_BLOCK_TOO_LARGE as soon as the list grows past
   |limits|, before anything is allocated for it. */
static int scan_nv_block(spdylay_nv_block_shape *shape, const uint8_t *in,
                         size_t inlen, int spdy2,
                         const spdylay_nv_limits *limits)
{
  size_t lensize = nv_length_size(spdy2);
  const uint8_t *p = in, *end = in + inlen;
  const uint8_t *prev_name = NULL;
  size_t prev_namelen = 0;
  unsigned int spdy2_seen = 0;
  size_t npairs, i;

  if (inlen < lensize) {
    return SPDYLAY_ERR_INVALID_HEADER_BLOCK;
  }
  npairs = get_nv_length(p, spdy2);
  p += lensize;
  /* Each pair takes two lengths and a non-empty name. */
  if (npairs > (size_t)(end - p) / (2 * lensize + 1)) {
    return SPDYLAY_ERR_INVALID_HEADER_BLOCK;
  }
  shape->npairs = npairs;
  shape->nentries = 0;
  shape->strbytes = 0;
  shape->listbytes = 0;
  shape->ascending = 1;
  for (i = 0; i < npairs; ++i) {
    const uint8_t *name, *value;
    size_t namelen, valuelen, nvalues, pairbytes;

    if ((size_t)(end - p) < lensize) {
      return SPDYLAY_ERR_INVALID_HEADER_BLOCK;
    }
    namelen = get_nv_length(p, spdy2);
    p += lensize;
    if (namelen == 0 || namelen > (size_t)(end - p)) {
      return SPDYLAY_ERR_INVALID_HEADER_BLOCK;
    }
    name = p;
    p += namelen;
    if (!is_valid_name(name, namelen)) {
      return SPDYLAY_ERR_INVALID_HEADER_BLOCK;
    }
    if ((size_t)(end - p) < lensize) {
      return SPDYLAY_ERR_INVALID_HEADER_BLOCK;
    }
    valuelen = get_nv_length(p, spdy2);
    p += lensize;
    if (valuelen > (size_t)(end - p)) {
      return SPDYLAY_ERR_INVALID_HEADER_BLOCK;
    }
    value = p;
    p += valuelen;
    nvalues = count_values(value, valuelen);
    if (nvalues == 0) {
      return SPDYLAY_ERR_INVALID_HEADER_BLOCK;
    }

    if (prev_name != NULL) {
      int cmp = bytes_cmp(prev_name, prev_namelen, name, namelen);
      if (cmp == 0) {
        return SPDYLAY_ERR_INVALID_HEADER_BLOCK;
      }
      shape->ascending &= cmp < 0;
    }
    prev_name = name;
    prev_namelen = namelen;

    if (spdy2) {
      int translated;
      int idx = spdy2_name_index(name, namelen, &translated);
      if (idx >= 0) {
        /* "url" and ":path" would both come out as ":path". */
        if (spdy2_seen & (1u << idx)) {
          return SPDYLAY_ERR_INVALID_HEADER_BLOCK;
        }
        spdy2_seen |= 1u << idx;
        if (translated) {
          namelen = spdy2_names[idx].spdy3len;
        }
      }
    }
    /* Bounded by the inflated size plus two NULs per pair and the longer
       SPDY/3 names: no overflow for any size that was allocated. */
    shape->strbytes += namelen + 1 + valuelen + 1;
    shape->nentries += nvalues;
    pairbytes = pair_list_bytes(namelen, valuelen, nvalues);
    shape->listbytes = pairbytes > SIZE_MAX - shape->listbytes
                           ? SIZE_MAX
                           : shape->listbytes + pairbytes;
    if (nv_over_limits(limits, shape->nentries, shape->listbytes)) {
      return SPDYLAY_ERR_HEADER_BLOCK_TOO_LARGE;
    }
  }
  if (p != end) {
    return SPDYLAY_ERR_INVALID_HEADER_BLOCK;
  }
  return 0;
}

/* Fills |nv| (arrays then strings, sized by scan_nv_block()) from the
   scanned block. */
static void build_nv(char **nv, const spdylay_nv_block_shape *shape,
                     const uint8_t *in, int spdy2)
{
  size_t lensize = nv_length_size(spdy2);
  const uint8_t *p = in + lensize;
  char *s = (char *)(nv + shape->nentries * 2 + 1);
  size_t k = 0, i;

  for (i = 0; i < shape->npairs; ++i) {
    size_t namelen, valuelen;
    const uint8_t *wname;
    char *name, *value, *end;
    int translated = 0;
    int idx = -1;

    namelen = get_nv_length(p, spdy2);
    p += lensize;
    wname = p;
    p += namelen;
    if (spdy2) {
      idx = spdy2_name_index(wname, namelen, &translated);
    }
    name = s;
    if (translated) {
      memcpy(s, spdy2_names[idx].spdy3, spdy2_names[idx].spdy3len);
      s += spdy2_names[idx].spdy3len;
    } else {
      memcpy(s, wname, namelen);
      s += namelen;
    }
    *s++ = '\0';

    valuelen = get_nv_length(p, spdy2);
    p += lensize;
    value = s;
    memcpy(s, p, valuelen);
    p += valuelen;
    s += valuelen;
    *s++ = '\0';

    /* The NUL separators already terminate each value in place. */
    end = s - 1;
    for (;;) {
      nv[k++] = name;
      nv[k++] = value;
      value += strlen(value);
      if (value == end) {
        break;
      }
      ++value;
    }
  }
  nv[k] = NULL;
}

static int name_ptr_cmp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The slow path for blocks whose names do not arrive sorted.  Values split
   from one pair share one name string, so each pair is looked at once. */
static int nv_has_duplicate_names(char **nv, size_t nentries, size_t npairs,
                                  int *dup_ptr)
{
  char *small[SPDYLAY_NV_SMALL_COUNT];
  char **names = small;
  size_t i, j, n = 0;
  *dup_ptr = 0;
  if (npairs > SPDYLAY_NV_SMALL_COUNT) {
    names = malloc(npairs * sizeof(char *));
    if (names == NULL) {
      return SPDYLAY_ERR_NOMEM;
    }
  }
  for (i = 0; i < nentries; ++i) {
    if (i == 0 || nv[2 * i] != nv[2 * i - 2]) {
      names[n++] = nv[2 * i];
    }
  }
  if (names == small) {
    for (i = 1; i < n && !*dup_ptr; ++i) {
      for (j = 0; j < i; ++j) {
        if (strcmp(names[j], names[i]) == 0) {
          *dup_ptr = 1;
          break;
        }
      }
    }
    return 0;
  }
  qsort(names, n, sizeof(char *), name_ptr_cmp);
  for (i = 1; i < n; ++i) {
    if (strcmp(names[i - 1], names[i]) == 0) {
      *dup_ptr = 1;
      break;
    }
  }
  free(names);
  return 0;
}

static int parse_nv_block(char ***nv_ptr, spdylay_nv_list_size *size_ptr,
                          uint8_t **nvbuf_ptr, size_t *nvbuflen_ptr,
                          const uint8_t *in, size_t inlen, int spdy2,
                          const spdylay_nv_limits *limits)
{
  spdylay_nv_block_shape shape;
  size_t arraylen, nvlen;
  char **nv;
  int rv;

  rv = scan_nv_block(&shape, in, inlen, spdy2, limits);
  if (rv != 0) {
    return rv;
  }
  if (shape.nentries >= (SIZE_MAX - shape.strbytes) / (2 * sizeof(char *))) {
    return SPDYLAY_ERR_NOMEM;
  }
  arraylen = (shape.nentries * 2 + 1) * sizeof(char *);
  nvlen = arraylen + shape.strbytes;
  /* Grown to the list's size only, not doubled: it stays as large as the
     largest list received, which the limits bound. */
  if (*nvbuflen_ptr < nvlen) {
    uint8_t *buf = realloc(*nvbuf_ptr, nvlen);
    if (buf == NULL) {
      return SPDYLAY_ERR_NOMEM;
    }
    *nvbuf_ptr = buf;
    *nvbuflen_ptr = nvlen;
  }
  nv = (char **)(void *)*nvbuf_ptr;
  build_nv(nv, &shape, in, spdy2);
  if (!shape.ascending) {
    int dup;
    rv = nv_has_duplicate_names(nv, shape.nentries, shape.npairs, &dup);
    if (rv == 0 && dup) {
      rv = SPDYLAY_ERR_INVALID_HEADER_BLOCK;
    }
    if (rv != 0) {
      return rv;
    }
  }
  *nv_ptr = nv;
  size_ptr->entries = shape.nentries;
  size_ptr->bytes = shape.listbytes;
  return 0;
}

int spdylay_nv_unpack_block(char ***nv_ptr, const uint8_t *in, size_t inlen,
                            uint16_t wire_version, spdylay_zlib *inflater,
                            uint8_t **buf_ptr, size_t *buflen_ptr,
                            const spdylay_nv_limits *limits,
                            spdylay_nv_list_size *size_ptr, uint8_t **nvbuf_ptr,
                            size_t *nvbuflen_ptr)
{
  size_t outlen;
  int rv;
  /* A header block can only be read with the inflater of its own version. */
  if (spdylay_frame_wire_version(inflater->version) != wire_version) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  rv = spdylay_zlib_inflate_hd(inflater, buf_ptr, buflen_ptr, &outlen,
                               limits->max_inflated, limits->max_total, in,
                               inlen);
  if (rv != 0) {
    return rv;
  }
  if (outlen > limits->max_inflated) {
    return SPDYLAY_ERR_HEADER_BLOCK_TOO_LARGE;
  }
  return parse_nv_block(nv_ptr, size_ptr, nvbuf_ptr, nvbuflen_ptr, *buf_ptr,
                        outlen, is_spdy2(wire_version), limits);
}
