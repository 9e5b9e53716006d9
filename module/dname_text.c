/**
 * \file dname_text.c
 * Presentation-form domain names to lowercase wire format and back.
 */
#include "dname_text.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

/** One byte lowercased as DNS names compare (RFC 4343): ASCII letters only,
 * whatever the locale. */
static uint8_t
lower_byte(uint8_t c)
{
	return (uint8_t)((unsigned)(c - 'A') < 26u ? c + ('a' - 'A') : c);
}

/** Eight bytes lowercased at once, like lower_byte on each: the high bit of
 * each byte of upper is set where that byte is 'A' to 'Z'. */
static uint64_t
lower_word(uint64_t x)
{
	const uint64_t low7 = x & 0x7f7f7f7f7f7f7f7fULL;
	/* no carry crosses a byte: low7 + 0x3f is at most 0xbe */
	const uint64_t ge_a = low7 + 0x3f3f3f3f3f3f3f3fULL;	/* >= 0x41 */
	const uint64_t gt_z = low7 + 0x2525252525252525ULL;	/* >  0x5a */
	const uint64_t upper = ge_a & ~gt_z & ~x & 0x8080808080808080ULL;
	return x | (upper >> 2);
}

const char*
dname_from_text(const char* text, uint8_t* wire, size_t* len,
	int allow_wildcard, int* wildcard)
{
	const char* p = text;
	size_t pos = 0;
	if(wildcard)
		*wildcard = 0;
	if(!text || !*text)
		return "empty name";
	if(p[0] == '*' && p[1] == '.') {
		if(!allow_wildcard)
			return "'*' is not allowed here";
		if(wildcard)
			*wildcard = 1;
		p += 2;
	}
	if(p[0] == '.' && p[1] == 0) {
		wire[0] = 0;
		*len = 1;
		return NULL;
	}
	while(*p) {
		size_t lab = pos++;
		uint8_t n = 0;
		while(*p && *p != '.') {
			int c = (unsigned char)*p++;
			if(c == '*')
				return "'*' is only allowed as a leading '*.' label";
			if(c == '\\') {
				if(isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1])
					&& isdigit((unsigned char)p[2])) {
					c = (p[0]-'0')*100 + (p[1]-'0')*10 + (p[2]-'0');
					if(c > 255)
						return "escape \\DDD over 255";
					p += 3;
				} else if(*p) {
					c = (unsigned char)*p++;
				} else	return "name ends in a backslash";
			}
			if(n == 63)
				return "label longer than 63 octets";
			if(pos >= DNAME_WIRE_MAX - 1)
				return "name longer than 255 octets";
			wire[pos++] = lower_byte((uint8_t)c);
			n++;
		}
		if(n == 0)
			return "empty label";
		wire[lab] = n;
		if(*p == '.') {
			p++;
			if(*p == 0)
				break;
		}
	}
	wire[pos++] = 0;
	*len = pos;
	return NULL;
}

size_t
dname_lower_copy_n(const uint8_t* src, size_t avail, uint8_t* dst)
{
	size_t pos = 0, len, i;
	if(avail > DNAME_WIRE_MAX)
		avail = DNAME_WIRE_MAX;
	/* check the labels first, then copy the name in words: every length
	 * byte is below 'A', so lowercasing leaves it as it is */
	for(;;) {
		uint8_t n;
		if(pos >= avail)
			return 0;
		n = src[pos];
		if(n > 63 || pos + 1 + n > avail)
			return 0;
		if(n == 0)
			break;
		pos += 1 + n;
	}
	len = pos + 1;
	for(i = 0; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, src + i, sizeof(w));
		w = lower_word(w);
		memcpy(dst + i, &w, sizeof(w));
	}
	for(; i < len; i++)
		dst[i] = lower_byte(src[i]);
	return len;
}

size_t
dname_lower_copy(const uint8_t* src, uint8_t* dst)
{
	return dname_lower_copy_n(src, DNAME_WIRE_MAX, dst);
}

size_t
dname_wire_len(const uint8_t* wire)
{
	size_t len = 0;
	while(wire[len])
		len += (size_t)wire[len] + 1;
	return len + 1;
}

void
dname_to_text(const uint8_t* wire, char* buf, size_t size)
{
	size_t out = 0;
	if(size == 0)
		return;
	if(*wire == 0 && size > 1)
		buf[out++] = '.';
	while(*wire) {
		uint8_t n = *wire++, i;
		for(i = 0; i < n; i++) {
			int c = wire[i];
			char tmp[5];
			int w;
			if(isalnum(c) || c == '-' || c == '_' || c == '*')
				w = snprintf(tmp, sizeof(tmp), "%c", c);
			else if(c > 32 && c < 127)
				w = snprintf(tmp, sizeof(tmp), "\\%c", c);
			else	w = snprintf(tmp, sizeof(tmp), "\\%03d", c);
			if(out + (size_t)w + 1 >= size)
				goto done;
			memcpy(buf + out, tmp, (size_t)w);
			out += (size_t)w;
		}
		wire += n;
		if(out + 2 >= size)
			goto done;
		buf[out++] = '.';
	}
done:
	buf[out] = 0;
}
