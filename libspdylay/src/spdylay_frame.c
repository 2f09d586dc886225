/*
 * spdylay_frame.c: the frame codec.  Turns frame structs into wire bytes
 * and back for SPDY/2 and SPDY/3(.1), including the name/value header
 * blocks and SPDY/2's header names.
 */
#include "spdylay_frame.h"

#include <string.h>

#include "spdylay_helper.h"

#define SPDYLAY_STREAM_ID_MASK 0x7fffffff
#define SPDYLAY_LENGTH_MASK 0xffffff
#define SPDYLAY_VERSION_MASK 0x7fff
#define SPDYLAY_CONTROL_BIT 0x8000

/* Payload sizes fixed by the drafts. */
#define SPDYLAY_SYN_STREAM_FIXED_LENGTH 10
#define SPDYLAY_SPDY2_SYN_REPLY_FIXED_LENGTH 6
#define SPDYLAY_SPDY3_SYN_REPLY_FIXED_LENGTH 4
#define SPDYLAY_RST_STREAM_LENGTH 8
#define SPDYLAY_SETTINGS_FIXED_LENGTH 4
#define SPDYLAY_SETTINGS_ENTRY_LENGTH 8
#define SPDYLAY_PING_LENGTH 4
#define SPDYLAY_SPDY2_GOAWAY_LENGTH 4
#define SPDYLAY_SPDY3_GOAWAY_LENGTH 8
#define SPDYLAY_WINDOW_UPDATE_LENGTH 8
/* Slot and proof length. */
#define SPDYLAY_CREDENTIAL_FIXED_LENGTH 6
#define SPDYLAY_CREDENTIAL_CERT_LENGTH_SIZE 4

#define SPDYLAY_SPDY2_PRI_LOWEST 3
#define SPDYLAY_SPDY3_PRI_LOWEST 7
#define SPDYLAY_SPDY2_PRI_SHIFT 6
#define SPDYLAY_SPDY3_PRI_SHIFT 5

/* SPDY/2 header blocks count and measure in 16 bits. */
#define SPDYLAY_SPDY2_NV_MAX 0xffff
#define SPDYLAY_SETTINGS_ID_MAX 0xffffff

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
    {":host", "host", 5, 4},       {":method", "method", 7, 6},
    {":path", "url", 5, 3},        {":scheme", "scheme", 7, 6},
    {":status", "status", 7, 6},   {":version", "version", 8, 7}};

#define SPDYLAY_SPDY2_NAME_COUNT (sizeof(spdy2_names) / sizeof(spdy2_names[0]))

static int is_spdy2(uint16_t wire_version) {
  return wire_version == SPDYLAY_PROTO_SPDY2;
}

static int is_known_wire_version(uint16_t wire_version) {
  return wire_version == SPDYLAY_PROTO_SPDY2 ||
         wire_version == SPDYLAY_PROTO_SPDY3;
}

uint16_t spdylay_frame_wire_version(uint16_t version) {
  return version == SPDYLAY_PROTO_SPDY3_1 ? SPDYLAY_PROTO_SPDY3 : version;
}

void spdylay_frame_pack_ctrl_hd(uint8_t *buf, const spdylay_ctrl_hd *hd) {
  spdylay_put_uint16be(
      buf, (uint16_t)(SPDYLAY_CONTROL_BIT | (hd->version & SPDYLAY_VERSION_MASK)));
  spdylay_put_uint16be(buf + 2, hd->type);
  spdylay_put_uint32be(buf + 4, (uint32_t)hd->length & SPDYLAY_LENGTH_MASK);
  buf[4] = hd->flags;
}

void spdylay_frame_unpack_ctrl_hd(spdylay_ctrl_hd *hd, const uint8_t *head) {
  hd->version = spdylay_get_uint16(head) & SPDYLAY_VERSION_MASK;
  hd->type = spdylay_get_uint16(head + 2);
  hd->flags = head[4];
  hd->length = (int32_t)(spdylay_get_uint32(head + 4) & SPDYLAY_LENGTH_MASK);
}

void spdylay_frame_pack_data_hd(uint8_t *buf, int32_t stream_id,
                                uint8_t flags, uint32_t length) {
  spdylay_put_uint32be(buf, (uint32_t)stream_id & SPDYLAY_STREAM_ID_MASK);
  spdylay_put_uint32be(buf + 4, length & SPDYLAY_LENGTH_MASK);
  buf[4] = flags;
}

/*
 * Name/value lists
 */

/* The name |name| goes on the wire as. */
static const char *wire_name(const char *name, int spdy2) {
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

static int pair_cmp(const char *a, const char *b, int spdy2) {
  return strcmp(wire_name(a, spdy2), wire_name(b, spdy2));
}

static int nv_pairs_sorted(char **nv, size_t npairs, int spdy2) {
  size_t i;
  for (i = 1; i < npairs; ++i) {
    if (pair_cmp(nv[2 * i - 2], nv[2 * i], spdy2) > 0) {
      return 0;
    }
  }
  return 1;
}

static void nv_insertion_sort(char **nv, size_t npairs, int spdy2) {
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
                     int spdy2) {
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

static int nv_merge_sort(char **nv, size_t npairs, int spdy2) {
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
static int nv_sort(char **nv, size_t npairs, int spdy2) {
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
static int nv_check_joined_values(char **nv, size_t npairs, int spdy2) {
  size_t i, j;
  for (i = 0; i < npairs; i = j) {
    int empty = nv[2 * i + 1][0] == '\0';
    for (j = i + 1;
         j < npairs && pair_cmp(nv[2 * i], nv[2 * j], spdy2) == 0; ++j) {
      empty |= nv[2 * j + 1][0] == '\0';
    }
    if (j - i > 1 && empty) {
      return SPDYLAY_ERR_INVALID_ARGUMENT;
    }
  }
  return 0;
}

int spdylay_frame_nv_copy(char ***nv_ptr, const char **nv) {
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
    copy[i] = p;
    for (s = nv[i]; *s; ++s) {
      *p++ = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
    }
    *p++ = '\0';
    copy[i + 1] = p;
    for (s = nv[i + 1]; *s; ++s) {
      *p++ = *s;
    }
    *p++ = '\0';
  }
  copy[npairs * 2] = NULL;

  rv = nv_sort(copy, npairs, 0);
  if (rv == 0) {
    rv = nv_check_joined_values(copy, npairs, 0);
  }
  if (rv != 0) {
    free(copy);
    return rv;
  }
  *nv_ptr = copy;
  return 0;
}

void spdylay_frame_nv_del(char **nv) { free(nv); }

/*
 * Header block packing
 */

static size_t nv_length_size(int spdy2) { return spdy2 ? 2 : 4; }

static uint8_t *put_nv_length(uint8_t *p, size_t n, int spdy2) {
  if (spdy2) {
    spdylay_put_uint16be(p, (uint16_t)n);
    return p + 2;
  }
  spdylay_put_uint32be(p, (uint32_t)n);
  return p + 4;
}

/* Measures the header block |nv| (sorted) will make, refusing what the
   wire cannot carry.  The ceiling is the frame's: whatever passes here
   compresses into a 24-bit length. */
static int measure_nv_block(size_t *blocklen_ptr, char **nv, size_t npairs,
                            int spdy2) {
  size_t lensize = nv_length_size(spdy2);
  size_t blocklen = lensize;
  size_t ngroups = 0;
  size_t i, j;
  for (i = 0; i < npairs; i = j) {
    const char *name = wire_name(nv[2 * i], spdy2);
    size_t namelen = strlen(name);
    size_t valuelen = 0;
    int empty = 0;
    for (j = i; j < npairs && (j == i || pair_cmp(nv[2 * i], nv[2 * j],
                                                   spdy2) == 0);
         ++j) {
      size_t len = strlen(nv[2 * j + 1]);
      if (len > SPDYLAY_MAX_FRAME_LENGTH) {
        return SPDYLAY_ERR_INVALID_ARGUMENT;
      }
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

static void write_nv_block(uint8_t *p, char **nv, size_t npairs, int spdy2) {
  size_t i, j, ngroups = 0;
  uint8_t *countp = p;
  p += nv_length_size(spdy2);
  for (i = 0; i < npairs; i = j) {
    const char *name = wire_name(nv[2 * i], spdy2);
    size_t namelen = strlen(name);
    size_t valuelen = 0;
    uint8_t *valuelenp;
    p = put_nv_length(p, namelen, spdy2);
    memcpy(p, name, namelen);
    p += namelen;
    valuelenp = p;
    p += nv_length_size(spdy2);
    for (j = i; j < npairs && (j == i || pair_cmp(nv[2 * i], nv[2 * j],
                                                   spdy2) == 0);
         ++j) {
      size_t len = strlen(nv[2 * j + 1]);
      if (j > i) {
        *p++ = '\0';
        ++valuelen;
      }
      memcpy(p, nv[2 * j + 1], len);
      p += len;
      valuelen += len;
    }
    put_nv_length(valuelenp, valuelen, spdy2);
    ++ngroups;
  }
  put_nv_length(countp, ngroups, spdy2);
}

/* Builds and compresses the header block of |nv| into *buf_ptr at
   |offset|, after the frame's head and fixed fields.  Returns the
   compressed length or a negative error code. */
static ssize_t pack_nv_block(uint8_t **buf_ptr, size_t *buflen_ptr,
                             size_t offset, char **nv, uint16_t wire_version,
                             spdylay_zlib *deflater) {
  int spdy2 = is_spdy2(wire_version);
  size_t npairs = 0, blocklen, bound;
  uint8_t *block;
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
  rv = measure_nv_block(&blocklen, nv, npairs, spdy2);
  if (rv != 0) {
    return rv;
  }
  /* Checked before deflating: a refused block must leave the deflater
     untouched, or the peer's inflater falls out of step. */
  bound = spdylay_zlib_deflate_hd_bound(deflater, blocklen);
  if (bound > SPDYLAY_MAX_FRAME_LENGTH - (offset - SPDYLAY_FRAME_HEAD_LENGTH)) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  /* The plain block is staged past the compressed area of the same
     buffer, which saves a second buffer per send. */
  rv = spdylay_reserve_buffer(buf_ptr, buflen_ptr, offset + bound + blocklen);
  if (rv != 0) {
    return rv;
  }
  block = *buf_ptr + offset + bound;
  write_nv_block(block, nv, npairs, spdy2);
  return spdylay_zlib_deflate_hd(deflater, *buf_ptr + offset, bound, block,
                                 blocklen);
}

/*
 * Header block unpacking
 */

static size_t get_nv_length(const uint8_t *p, int spdy2) {
  return spdy2 ? spdylay_get_uint16(p) : spdylay_get_uint32(p);
}

/* The index in spdy2_names of the SPDY/3 name that the SPDY/2 wire name
   |name| stands for, whether spelled the SPDY/2 way (*translated set) or
   literally; -1 for any other name. */
static int spdy2_name_index(const uint8_t *name, size_t namelen,
                            int *translated) {
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
                     size_t blen) {
  int rv = memcmp(a, b, spdylay_min(alen, blen));
  if (rv != 0) {
    return rv;
  }
  return alen < blen ? -1 : alen > blen;
}

static int is_valid_name(const uint8_t *name, size_t namelen) {
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
static size_t count_values(const uint8_t *value, size_t valuelen) {
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
  /* Wire names strictly ascending, hence all distinct. */
  int ascending;
} spdylay_nv_block_shape;

/* Checks every count and length against the bytes left before reading
   past it, and every name and value, and sizes the nv to build. */
static int scan_nv_block(spdylay_nv_block_shape *shape, const uint8_t *in,
                         size_t inlen, int spdy2) {
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
  shape->ascending = 1;
  for (i = 0; i < npairs; ++i) {
    const uint8_t *name, *value;
    size_t namelen, valuelen, nvalues;

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
  }
  if (p != end) {
    return SPDYLAY_ERR_INVALID_HEADER_BLOCK;
  }
  return 0;
}

/* Fills |nv| (arrays then strings, sized by scan_nv_block()) from the
   scanned block. */
static void build_nv(char **nv, const spdylay_nv_block_shape *shape,
                     const uint8_t *in, int spdy2) {
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

static int name_ptr_cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The slow path for blocks whose names do not arrive sorted.  Values split
   from one pair share one name string, so each pair is looked at once. */
static int nv_has_duplicate_names(char **nv, size_t nentries, size_t npairs,
                                  int *dup_ptr) {
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

static int parse_nv_block(char ***nv_ptr, const uint8_t *in, size_t inlen,
                          int spdy2) {
  spdylay_nv_block_shape shape;
  size_t arraylen;
  char **nv;
  int rv;

  rv = scan_nv_block(&shape, in, inlen, spdy2);
  if (rv != 0) {
    return rv;
  }
  if (shape.nentries >= (SIZE_MAX - shape.strbytes) / (2 * sizeof(char *))) {
    return SPDYLAY_ERR_NOMEM;
  }
  arraylen = (shape.nentries * 2 + 1) * sizeof(char *);
  nv = malloc(arraylen + shape.strbytes);
  if (nv == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  build_nv(nv, &shape, in, spdy2);
  if (!shape.ascending) {
    int dup;
    rv = nv_has_duplicate_names(nv, shape.nentries, shape.npairs, &dup);
    if (rv == 0 && dup) {
      rv = SPDYLAY_ERR_INVALID_HEADER_BLOCK;
    }
    if (rv != 0) {
      free(nv);
      return rv;
    }
  }
  *nv_ptr = nv;
  return 0;
}

static int unpack_nv_block(char ***nv_ptr, const uint8_t *in, size_t inlen,
                           uint16_t wire_version, spdylay_zlib *inflater,
                           uint8_t **buf_ptr, size_t *buflen_ptr,
                           size_t max_hd_len) {
  size_t outlen;
  int rv;
  rv = spdylay_zlib_inflate_hd(inflater, buf_ptr, buflen_ptr, &outlen,
                               max_hd_len, in, inlen);
  if (rv != 0) {
    return rv;
  }
  if (outlen > max_hd_len) {
    return SPDYLAY_ERR_HEADER_BLOCK_TOO_LARGE;
  }
  return parse_nv_block(nv_ptr, *buf_ptr, outlen, is_spdy2(wire_version));
}

/*
 * Frame initializers and release
 */

static void init_ctrl_hd(spdylay_ctrl_hd *hd, uint16_t version, uint16_t type,
                         uint8_t flags) {
  hd->version = spdylay_frame_wire_version(version);
  hd->type = type;
  hd->flags = flags;
  hd->length = 0;
}

void spdylay_frame_syn_stream_init(spdylay_syn_stream *frame, uint16_t version,
                                   uint8_t flags, int32_t stream_id,
                                   int32_t assoc_stream_id, uint8_t pri,
                                   char **nv) {
  memset(frame, 0, sizeof(*frame));
  init_ctrl_hd(&frame->hd, version, SPDYLAY_SYN_STREAM, flags);
  frame->stream_id = stream_id;
  frame->assoc_stream_id = assoc_stream_id;
  frame->pri = pri;
  frame->nv = nv;
}

void spdylay_frame_syn_reply_init(spdylay_syn_reply *frame, uint16_t version,
                                  uint8_t flags, int32_t stream_id,
                                  char **nv) {
  memset(frame, 0, sizeof(*frame));
  init_ctrl_hd(&frame->hd, version, SPDYLAY_SYN_REPLY, flags);
  frame->stream_id = stream_id;
  frame->nv = nv;
}

void spdylay_frame_headers_init(spdylay_headers *frame, uint16_t version,
                                uint8_t flags, int32_t stream_id, char **nv) {
  memset(frame, 0, sizeof(*frame));
  init_ctrl_hd(&frame->hd, version, SPDYLAY_HEADERS, flags);
  frame->stream_id = stream_id;
  frame->nv = nv;
}

void spdylay_frame_rst_stream_init(spdylay_rst_stream *frame, uint16_t version,
                                   int32_t stream_id, uint32_t status_code) {
  memset(frame, 0, sizeof(*frame));
  init_ctrl_hd(&frame->hd, version, SPDYLAY_RST_STREAM, 0);
  frame->stream_id = stream_id;
  frame->status_code = status_code;
}

void spdylay_frame_settings_init(spdylay_settings *frame, uint16_t version,
                                 uint8_t flags, spdylay_settings_entry *iv,
                                 size_t niv) {
  memset(frame, 0, sizeof(*frame));
  init_ctrl_hd(&frame->hd, version, SPDYLAY_SETTINGS, flags);
  frame->iv = iv;
  frame->niv = niv;
}

void spdylay_frame_ping_init(spdylay_ping *frame, uint16_t version,
                             uint32_t unique_id) {
  memset(frame, 0, sizeof(*frame));
  init_ctrl_hd(&frame->hd, version, SPDYLAY_PING, 0);
  frame->unique_id = unique_id;
}

void spdylay_frame_goaway_init(spdylay_goaway *frame, uint16_t version,
                               int32_t last_good_stream_id,
                               uint32_t status_code) {
  memset(frame, 0, sizeof(*frame));
  init_ctrl_hd(&frame->hd, version, SPDYLAY_GOAWAY, 0);
  frame->last_good_stream_id = last_good_stream_id;
  frame->status_code = status_code;
}

void spdylay_frame_window_update_init(spdylay_window_update *frame,
                                      uint16_t version, int32_t stream_id,
                                      int32_t delta_window_size) {
  memset(frame, 0, sizeof(*frame));
  init_ctrl_hd(&frame->hd, version, SPDYLAY_WINDOW_UPDATE, 0);
  frame->stream_id = stream_id;
  frame->delta_window_size = delta_window_size;
}

static void credential_free(spdylay_credential *frame) {
  size_t i;
  free(frame->proof.data);
  frame->proof.data = NULL;
  for (i = 0; i < frame->ncerts; ++i) {
    free(frame->certs[i].data);
  }
  free(frame->certs);
  frame->certs = NULL;
  frame->ncerts = 0;
}

void spdylay_frame_free(spdylay_frame_type type, spdylay_frame *frame) {
  switch (type) {
  case SPDYLAY_SYN_STREAM:
    spdylay_frame_nv_del(frame->syn_stream.nv);
    frame->syn_stream.nv = NULL;
    break;
  case SPDYLAY_SYN_REPLY:
    spdylay_frame_nv_del(frame->syn_reply.nv);
    frame->syn_reply.nv = NULL;
    break;
  case SPDYLAY_HEADERS:
    spdylay_frame_nv_del(frame->headers.nv);
    frame->headers.nv = NULL;
    break;
  case SPDYLAY_SETTINGS:
    free(frame->settings.iv);
    frame->settings.iv = NULL;
    frame->settings.niv = 0;
    break;
  case SPDYLAY_CREDENTIAL:
    credential_free(&frame->credential);
    break;
  default:
    break;
  }
}

/*
 * Packers
 */

/* Makes room for a frame without a header block and writes its head. */
static int start_fixed_frame(uint8_t **buf_ptr, size_t *buflen_ptr,
                             spdylay_ctrl_hd *hd, uint16_t type,
                             size_t length) {
  int rv;
  if (!is_known_wire_version(hd->version) ||
      length > SPDYLAY_MAX_FRAME_LENGTH) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  rv = spdylay_reserve_buffer(buf_ptr, buflen_ptr,
                              SPDYLAY_FRAME_HEAD_LENGTH + length);
  if (rv != 0) {
    return rv;
  }
  hd->type = type;
  hd->length = (int32_t)length;
  spdylay_frame_pack_ctrl_hd(*buf_ptr, hd);
  return 0;
}

static size_t syn_reply_fixed_length(uint16_t wire_version) {
  return is_spdy2(wire_version) ? SPDYLAY_SPDY2_SYN_REPLY_FIXED_LENGTH
                                : SPDYLAY_SPDY3_SYN_REPLY_FIXED_LENGTH;
}

/* Packs a frame whose fixed part is a stream ID (plus SPDY/2's two unused
   bytes) followed by a header block: SYN_REPLY and HEADERS. */
static ssize_t pack_stream_nv_frame(uint8_t **buf_ptr, size_t *buflen_ptr,
                                    spdylay_ctrl_hd *hd, uint16_t type,
                                    int32_t stream_id, char **nv,
                                    spdylay_zlib *deflater) {
  size_t fixedlen;
  ssize_t blocklen;
  uint8_t *buf;
  if (!is_known_wire_version(hd->version)) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  fixedlen = syn_reply_fixed_length(hd->version);
  blocklen = pack_nv_block(buf_ptr, buflen_ptr,
                           SPDYLAY_FRAME_HEAD_LENGTH + fixedlen, nv,
                           hd->version, deflater);
  if (blocklen < 0) {
    return blocklen;
  }
  buf = *buf_ptr;
  hd->type = type;
  hd->length = (int32_t)(fixedlen + (size_t)blocklen);
  spdylay_frame_pack_ctrl_hd(buf, hd);
  spdylay_put_uint32be(buf + 8, (uint32_t)stream_id & SPDYLAY_STREAM_ID_MASK);
  if (is_spdy2(hd->version)) {
    spdylay_put_uint16be(buf + 12, 0);
  }
  return SPDYLAY_FRAME_HEAD_LENGTH + hd->length;
}

ssize_t spdylay_frame_pack_syn_stream(uint8_t **buf_ptr, size_t *buflen_ptr,
                                      spdylay_syn_stream *frame,
                                      spdylay_zlib *deflater) {
  int spdy2 = is_spdy2(frame->hd.version);
  ssize_t blocklen;
  uint8_t *buf;
  if (!is_known_wire_version(frame->hd.version) ||
      frame->pri > (spdy2 ? SPDYLAY_SPDY2_PRI_LOWEST
                          : SPDYLAY_SPDY3_PRI_LOWEST)) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  blocklen = pack_nv_block(
      buf_ptr, buflen_ptr,
      SPDYLAY_FRAME_HEAD_LENGTH + SPDYLAY_SYN_STREAM_FIXED_LENGTH, frame->nv,
      frame->hd.version, deflater);
  if (blocklen < 0) {
    return blocklen;
  }
  buf = *buf_ptr;
  frame->hd.type = SPDYLAY_SYN_STREAM;
  frame->hd.length =
      (int32_t)(SPDYLAY_SYN_STREAM_FIXED_LENGTH + (size_t)blocklen);
  spdylay_frame_pack_ctrl_hd(buf, &frame->hd);
  spdylay_put_uint32be(buf + 8,
                       (uint32_t)frame->stream_id & SPDYLAY_STREAM_ID_MASK);
  spdylay_put_uint32be(buf + 12, (uint32_t)frame->assoc_stream_id &
                                     SPDYLAY_STREAM_ID_MASK);
  if (spdy2) {
    buf[16] = (uint8_t)(frame->pri << SPDYLAY_SPDY2_PRI_SHIFT);
    buf[17] = 0;
  } else {
    buf[16] = (uint8_t)(frame->pri << SPDYLAY_SPDY3_PRI_SHIFT);
    buf[17] = frame->slot;
  }
  return SPDYLAY_FRAME_HEAD_LENGTH + frame->hd.length;
}

ssize_t spdylay_frame_pack_syn_reply(uint8_t **buf_ptr, size_t *buflen_ptr,
                                     spdylay_syn_reply *frame,
                                     spdylay_zlib *deflater) {
  return pack_stream_nv_frame(buf_ptr, buflen_ptr, &frame->hd,
                              SPDYLAY_SYN_REPLY, frame->stream_id, frame->nv,
                              deflater);
}

ssize_t spdylay_frame_pack_headers(uint8_t **buf_ptr, size_t *buflen_ptr,
                                   spdylay_headers *frame,
                                   spdylay_zlib *deflater) {
  return pack_stream_nv_frame(buf_ptr, buflen_ptr, &frame->hd,
                              SPDYLAY_HEADERS, frame->stream_id, frame->nv,
                              deflater);
}

ssize_t spdylay_frame_pack_rst_stream(uint8_t **buf_ptr, size_t *buflen_ptr,
                                      spdylay_rst_stream *frame) {
  uint8_t *buf;
  int rv = start_fixed_frame(buf_ptr, buflen_ptr, &frame->hd,
                             SPDYLAY_RST_STREAM, SPDYLAY_RST_STREAM_LENGTH);
  if (rv != 0) {
    return rv;
  }
  buf = *buf_ptr;
  spdylay_put_uint32be(buf + 8,
                       (uint32_t)frame->stream_id & SPDYLAY_STREAM_ID_MASK);
  spdylay_put_uint32be(buf + 12, frame->status_code);
  return SPDYLAY_FRAME_HEAD_LENGTH + SPDYLAY_RST_STREAM_LENGTH;
}

ssize_t spdylay_frame_pack_settings(uint8_t **buf_ptr, size_t *buflen_ptr,
                                    spdylay_settings *frame) {
  size_t i, length;
  uint8_t *p;
  int rv;
  if (frame->niv > (SPDYLAY_MAX_FRAME_LENGTH - SPDYLAY_SETTINGS_FIXED_LENGTH) /
                       SPDYLAY_SETTINGS_ENTRY_LENGTH) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  for (i = 0; i < frame->niv; ++i) {
    if (frame->iv[i].settings_id < 0 ||
        frame->iv[i].settings_id > SPDYLAY_SETTINGS_ID_MAX) {
      return SPDYLAY_ERR_INVALID_ARGUMENT;
    }
  }
  length = SPDYLAY_SETTINGS_FIXED_LENGTH +
           frame->niv * SPDYLAY_SETTINGS_ENTRY_LENGTH;
  rv = start_fixed_frame(buf_ptr, buflen_ptr, &frame->hd, SPDYLAY_SETTINGS,
                         length);
  if (rv != 0) {
    return rv;
  }
  p = *buf_ptr + SPDYLAY_FRAME_HEAD_LENGTH;
  spdylay_put_uint32be(p, (uint32_t)frame->niv);
  p += SPDYLAY_SETTINGS_FIXED_LENGTH;
  for (i = 0; i < frame->niv; ++i, p += SPDYLAY_SETTINGS_ENTRY_LENGTH) {
    uint32_t id = (uint32_t)frame->iv[i].settings_id;
    if (is_spdy2(frame->hd.version)) {
      /* SPDY/2 shipped its IDs little-endian, ahead of the flags. */
      p[0] = (uint8_t)id;
      p[1] = (uint8_t)(id >> 8);
      p[2] = (uint8_t)(id >> 16);
      p[3] = frame->iv[i].flags;
    } else {
      spdylay_put_uint32be(p, id);
      p[0] = frame->iv[i].flags;
    }
    spdylay_put_uint32be(p + 4, frame->iv[i].value);
  }
  return (ssize_t)(SPDYLAY_FRAME_HEAD_LENGTH + length);
}

ssize_t spdylay_frame_pack_ping(uint8_t **buf_ptr, size_t *buflen_ptr,
                                spdylay_ping *frame) {
  int rv = start_fixed_frame(buf_ptr, buflen_ptr, &frame->hd, SPDYLAY_PING,
                             SPDYLAY_PING_LENGTH);
  if (rv != 0) {
    return rv;
  }
  spdylay_put_uint32be(*buf_ptr + 8, frame->unique_id);
  return SPDYLAY_FRAME_HEAD_LENGTH + SPDYLAY_PING_LENGTH;
}

ssize_t spdylay_frame_pack_goaway(uint8_t **buf_ptr, size_t *buflen_ptr,
                                  spdylay_goaway *frame) {
  int spdy2 = is_spdy2(frame->hd.version);
  size_t length = spdy2 ? SPDYLAY_SPDY2_GOAWAY_LENGTH
                        : SPDYLAY_SPDY3_GOAWAY_LENGTH;
  int rv = start_fixed_frame(buf_ptr, buflen_ptr, &frame->hd, SPDYLAY_GOAWAY,
                             length);
  if (rv != 0) {
    return rv;
  }
  spdylay_put_uint32be(*buf_ptr + 8, (uint32_t)frame->last_good_stream_id &
                                         SPDYLAY_STREAM_ID_MASK);
  if (!spdy2) {
    spdylay_put_uint32be(*buf_ptr + 12, frame->status_code);
  }
  return (ssize_t)(SPDYLAY_FRAME_HEAD_LENGTH + length);
}

ssize_t spdylay_frame_pack_window_update(uint8_t **buf_ptr,
                                         size_t *buflen_ptr,
                                         spdylay_window_update *frame) {
  int rv;
  if (is_spdy2(frame->hd.version)) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  rv = start_fixed_frame(buf_ptr, buflen_ptr, &frame->hd,
                         SPDYLAY_WINDOW_UPDATE, SPDYLAY_WINDOW_UPDATE_LENGTH);
  if (rv != 0) {
    return rv;
  }
  spdylay_put_uint32be(*buf_ptr + 8,
                       (uint32_t)frame->stream_id & SPDYLAY_STREAM_ID_MASK);
  spdylay_put_uint32be(*buf_ptr + 12, (uint32_t)frame->delta_window_size &
                                          SPDYLAY_STREAM_ID_MASK);
  return SPDYLAY_FRAME_HEAD_LENGTH + SPDYLAY_WINDOW_UPDATE_LENGTH;
}

ssize_t spdylay_frame_pack_credential(uint8_t **buf_ptr, size_t *buflen_ptr,
                                      spdylay_credential *frame) {
  size_t length = SPDYLAY_CREDENTIAL_FIXED_LENGTH;
  size_t i;
  uint8_t *p;
  int rv;
  if (is_spdy2(frame->hd.version) ||
      frame->proof.length > SPDYLAY_MAX_FRAME_LENGTH) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  length += frame->proof.length;
  for (i = 0; i < frame->ncerts; ++i) {
    if (frame->certs[i].length > SPDYLAY_MAX_FRAME_LENGTH) {
      return SPDYLAY_ERR_INVALID_ARGUMENT;
    }
    length += SPDYLAY_CREDENTIAL_CERT_LENGTH_SIZE + frame->certs[i].length;
    if (length > SPDYLAY_MAX_FRAME_LENGTH) {
      return SPDYLAY_ERR_INVALID_ARGUMENT;
    }
  }
  rv = start_fixed_frame(buf_ptr, buflen_ptr, &frame->hd, SPDYLAY_CREDENTIAL,
                         length);
  if (rv != 0) {
    return rv;
  }
  p = *buf_ptr + SPDYLAY_FRAME_HEAD_LENGTH;
  spdylay_put_uint16be(p, frame->slot);
  spdylay_put_uint32be(p + 2, (uint32_t)frame->proof.length);
  p += SPDYLAY_CREDENTIAL_FIXED_LENGTH;
  if (frame->proof.length > 0) {
    memcpy(p, frame->proof.data, frame->proof.length);
    p += frame->proof.length;
  }
  for (i = 0; i < frame->ncerts; ++i) {
    spdylay_put_uint32be(p, (uint32_t)frame->certs[i].length);
    p += SPDYLAY_CREDENTIAL_CERT_LENGTH_SIZE;
    if (frame->certs[i].length > 0) {
      memcpy(p, frame->certs[i].data, frame->certs[i].length);
      p += frame->certs[i].length;
    }
  }
  return (ssize_t)(SPDYLAY_FRAME_HEAD_LENGTH + length);
}

/*
 * Unpackers
 */

/* Reads the head every unpacker starts from and checks what all frames
   share: a version this codec speaks and a payload of the stated size. */
static int unpack_head(spdylay_ctrl_hd *hd, const uint8_t *head,
                       size_t headlen, size_t payloadlen) {
  if (headlen != SPDYLAY_FRAME_HEAD_LENGTH) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  spdylay_frame_unpack_ctrl_hd(hd, head);
  if (!is_known_wire_version(hd->version) ||
      (size_t)hd->length != payloadlen) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  return 0;
}

/* A header block can only be read with the inflater of its own version. */
static int check_inflater(const spdylay_ctrl_hd *hd,
                          const spdylay_zlib *inflater) {
  return spdylay_frame_wire_version(inflater->version) == hd->version
             ? 0
             : SPDYLAY_ERR_INVALID_FRAME;
}

int spdylay_frame_unpack_syn_stream(spdylay_syn_stream *frame,
                                    const uint8_t *head, size_t headlen,
                                    const uint8_t *payload, size_t payloadlen,
                                    spdylay_zlib *inflater, uint8_t **buf_ptr,
                                    size_t *buflen_ptr, size_t max_hd_len) {
  int rv;
  memset(frame, 0, sizeof(*frame));
  rv = unpack_head(&frame->hd, head, headlen, payloadlen);
  if (rv != 0) {
    return rv;
  }
  if (payloadlen < SPDYLAY_SYN_STREAM_FIXED_LENGTH) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  rv = check_inflater(&frame->hd, inflater);
  if (rv != 0) {
    return rv;
  }
  frame->stream_id =
      (int32_t)(spdylay_get_uint32(payload) & SPDYLAY_STREAM_ID_MASK);
  frame->assoc_stream_id =
      (int32_t)(spdylay_get_uint32(payload + 4) & SPDYLAY_STREAM_ID_MASK);
  if (is_spdy2(frame->hd.version)) {
    frame->pri = (uint8_t)(payload[8] >> SPDYLAY_SPDY2_PRI_SHIFT);
  } else {
    frame->pri = (uint8_t)(payload[8] >> SPDYLAY_SPDY3_PRI_SHIFT);
    frame->slot = payload[9];
  }
  return unpack_nv_block(&frame->nv, payload + SPDYLAY_SYN_STREAM_FIXED_LENGTH,
                         payloadlen - SPDYLAY_SYN_STREAM_FIXED_LENGTH,
                         frame->hd.version, inflater, buf_ptr, buflen_ptr,
                         max_hd_len);
}

/* SYN_REPLY and HEADERS share their layout. */
static int unpack_stream_nv_frame(spdylay_ctrl_hd *hd, int32_t *stream_id_ptr,
                                  char ***nv_ptr, const uint8_t *head,
                                  size_t headlen, const uint8_t *payload,
                                  size_t payloadlen, spdylay_zlib *inflater,
                                  uint8_t **buf_ptr, size_t *buflen_ptr,
                                  size_t max_hd_len) {
  size_t fixedlen;
  int rv = unpack_head(hd, head, headlen, payloadlen);
  if (rv != 0) {
    return rv;
  }
  fixedlen = syn_reply_fixed_length(hd->version);
  if (payloadlen < fixedlen) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  rv = check_inflater(hd, inflater);
  if (rv != 0) {
    return rv;
  }
  *stream_id_ptr =
      (int32_t)(spdylay_get_uint32(payload) & SPDYLAY_STREAM_ID_MASK);
  return unpack_nv_block(nv_ptr, payload + fixedlen, payloadlen - fixedlen,
                         hd->version, inflater, buf_ptr, buflen_ptr,
                         max_hd_len);
}

int spdylay_frame_unpack_syn_reply(spdylay_syn_reply *frame,
                                   const uint8_t *head, size_t headlen,
                                   const uint8_t *payload, size_t payloadlen,
                                   spdylay_zlib *inflater, uint8_t **buf_ptr,
                                   size_t *buflen_ptr, size_t max_hd_len) {
  memset(frame, 0, sizeof(*frame));
  return unpack_stream_nv_frame(&frame->hd, &frame->stream_id, &frame->nv,
                                head, headlen, payload, payloadlen, inflater,
                                buf_ptr, buflen_ptr, max_hd_len);
}

int spdylay_frame_unpack_headers(spdylay_headers *frame, const uint8_t *head,
                                 size_t headlen, const uint8_t *payload,
                                 size_t payloadlen, spdylay_zlib *inflater,
                                 uint8_t **buf_ptr, size_t *buflen_ptr,
                                 size_t max_hd_len) {
  memset(frame, 0, sizeof(*frame));
  return unpack_stream_nv_frame(&frame->hd, &frame->stream_id, &frame->nv,
                                head, headlen, payload, payloadlen, inflater,
                                buf_ptr, buflen_ptr, max_hd_len);
}

int spdylay_frame_unpack_rst_stream(spdylay_rst_stream *frame,
                                    const uint8_t *head, size_t headlen,
                                    const uint8_t *payload,
                                    size_t payloadlen) {
  int rv;
  memset(frame, 0, sizeof(*frame));
  rv = unpack_head(&frame->hd, head, headlen, payloadlen);
  if (rv != 0) {
    return rv;
  }
  if (payloadlen != SPDYLAY_RST_STREAM_LENGTH) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  frame->stream_id =
      (int32_t)(spdylay_get_uint32(payload) & SPDYLAY_STREAM_ID_MASK);
  frame->status_code = spdylay_get_uint32(payload + 4);
  return 0;
}

int spdylay_frame_unpack_settings(spdylay_settings *frame, const uint8_t *head,
                                  size_t headlen, const uint8_t *payload,
                                  size_t payloadlen) {
  size_t niv, i;
  const uint8_t *p;
  int rv;
  memset(frame, 0, sizeof(*frame));
  rv = unpack_head(&frame->hd, head, headlen, payloadlen);
  if (rv != 0) {
    return rv;
  }
  if (payloadlen < SPDYLAY_SETTINGS_FIXED_LENGTH) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  niv = spdylay_get_uint32(payload);
  if ((payloadlen - SPDYLAY_SETTINGS_FIXED_LENGTH) %
              SPDYLAY_SETTINGS_ENTRY_LENGTH !=
          0 ||
      (payloadlen - SPDYLAY_SETTINGS_FIXED_LENGTH) /
              SPDYLAY_SETTINGS_ENTRY_LENGTH !=
          niv) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  if (niv == 0) {
    return 0;
  }
  frame->iv = malloc(niv * sizeof(spdylay_settings_entry));
  if (frame->iv == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  frame->niv = niv;
  p = payload + SPDYLAY_SETTINGS_FIXED_LENGTH;
  for (i = 0; i < niv; ++i, p += SPDYLAY_SETTINGS_ENTRY_LENGTH) {
    spdylay_settings_entry *entry = &frame->iv[i];
    if (is_spdy2(frame->hd.version)) {
      entry->settings_id = (int32_t)((uint32_t)p[0] | ((uint32_t)p[1] << 8) |
                                     ((uint32_t)p[2] << 16));
      entry->flags = p[3];
    } else {
      entry->flags = p[0];
      entry->settings_id =
          (int32_t)(spdylay_get_uint32(p) & SPDYLAY_SETTINGS_ID_MAX);
    }
    entry->value = spdylay_get_uint32(p + 4);
  }
  return 0;
}

int spdylay_frame_unpack_ping(spdylay_ping *frame, const uint8_t *head,
                              size_t headlen, const uint8_t *payload,
                              size_t payloadlen) {
  int rv;
  memset(frame, 0, sizeof(*frame));
  rv = unpack_head(&frame->hd, head, headlen, payloadlen);
  if (rv != 0) {
    return rv;
  }
  if (payloadlen != SPDYLAY_PING_LENGTH) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  frame->unique_id = spdylay_get_uint32(payload);
  return 0;
}

int spdylay_frame_unpack_goaway(spdylay_goaway *frame, const uint8_t *head,
                                size_t headlen, const uint8_t *payload,
                                size_t payloadlen) {
  int spdy2;
  int rv;
  memset(frame, 0, sizeof(*frame));
  rv = unpack_head(&frame->hd, head, headlen, payloadlen);
  if (rv != 0) {
    return rv;
  }
  spdy2 = is_spdy2(frame->hd.version);
  if (payloadlen != (spdy2 ? SPDYLAY_SPDY2_GOAWAY_LENGTH
                           : SPDYLAY_SPDY3_GOAWAY_LENGTH)) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  frame->last_good_stream_id =
      (int32_t)(spdylay_get_uint32(payload) & SPDYLAY_STREAM_ID_MASK);
  if (!spdy2) {
    frame->status_code = spdylay_get_uint32(payload + 4);
  }
  return 0;
}

int spdylay_frame_unpack_window_update(spdylay_window_update *frame,
                                       const uint8_t *head, size_t headlen,
                                       const uint8_t *payload,
                                       size_t payloadlen) {
  int rv;
  memset(frame, 0, sizeof(*frame));
  rv = unpack_head(&frame->hd, head, headlen, payloadlen);
  if (rv != 0) {
    return rv;
  }
  if (is_spdy2(frame->hd.version) ||
      payloadlen != SPDYLAY_WINDOW_UPDATE_LENGTH) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  frame->stream_id =
      (int32_t)(spdylay_get_uint32(payload) & SPDYLAY_STREAM_ID_MASK);
  frame->delta_window_size =
      (int32_t)(spdylay_get_uint32(payload + 4) & SPDYLAY_STREAM_ID_MASK);
  return 0;
}

/* Copies |len| bytes into a new chunk; empty chunks allocate nothing. */
static int copy_chunk(spdylay_mem_chunk *chunk, const uint8_t *data,
                      size_t len) {
  chunk->length = len;
  chunk->data = NULL;
  if (len == 0) {
    return 0;
  }
  chunk->data = malloc(len);
  if (chunk->data == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  memcpy(chunk->data, data, len);
  return 0;
}

int spdylay_frame_unpack_credential(spdylay_credential *frame,
                                    const uint8_t *head, size_t headlen,
                                    const uint8_t *payload,
                                    size_t payloadlen) {
  const uint8_t *p, *end = payload + payloadlen;
  size_t prooflen, ncerts = 0, i;
  int rv;
  memset(frame, 0, sizeof(*frame));
  rv = unpack_head(&frame->hd, head, headlen, payloadlen);
  if (rv != 0) {
    return rv;
  }
  if (is_spdy2(frame->hd.version) ||
      payloadlen < SPDYLAY_CREDENTIAL_FIXED_LENGTH) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  prooflen = spdylay_get_uint32(payload + 2);
  if (prooflen > payloadlen - SPDYLAY_CREDENTIAL_FIXED_LENGTH) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  /* Count the certificates, checking every length, before allocating. */
  for (p = payload + SPDYLAY_CREDENTIAL_FIXED_LENGTH + prooflen; p != end;
       ++ncerts) {
    size_t certlen;
    if ((size_t)(end - p) < SPDYLAY_CREDENTIAL_CERT_LENGTH_SIZE) {
      return SPDYLAY_ERR_INVALID_FRAME;
    }
    certlen = spdylay_get_uint32(p);
    p += SPDYLAY_CREDENTIAL_CERT_LENGTH_SIZE;
    if (certlen > (size_t)(end - p)) {
      return SPDYLAY_ERR_INVALID_FRAME;
    }
    p += certlen;
  }
  frame->slot = spdylay_get_uint16(payload);
  rv = copy_chunk(&frame->proof, payload + SPDYLAY_CREDENTIAL_FIXED_LENGTH,
                  prooflen);
  if (rv != 0) {
    return rv;
  }
  if (ncerts == 0) {
    return 0;
  }
  frame->certs = calloc(ncerts, sizeof(spdylay_mem_chunk));
  if (frame->certs == NULL) {
    credential_free(frame);
    return SPDYLAY_ERR_NOMEM;
  }
  frame->ncerts = ncerts;
  p = payload + SPDYLAY_CREDENTIAL_FIXED_LENGTH + prooflen;
  for (i = 0; i < ncerts; ++i) {
    size_t certlen = spdylay_get_uint32(p);
    p += SPDYLAY_CREDENTIAL_CERT_LENGTH_SIZE;
    rv = copy_chunk(&frame->certs[i], p, certlen);
    if (rv != 0) {
      credential_free(frame);
      return rv;
    }
    p += certlen;
  }
  return 0;
}
