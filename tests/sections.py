"""sections.py - the section table of a tidings index, for the shell tests.

common/format.h: a 64-byte header whose u32 at offset 12 counts the
sections, then TD_MAX_SECTIONS entries of {u32 id, u32 crc, u64 offset,
u64 length}.  Imported by the Python the tests run from the repository root
(sys.path gets tests/).
"""
import struct

MAX_SECTIONS = 16
NAMES = {1: 'META', 2: 'DOCTAB', 3: 'BODIES', 4: 'BODYIDX', 5: 'POSTINGS', 6: 'LEXICON',
         7: 'LEXIDX', 8: 'BODYDICT', 9: 'SUMMARIES', 10: 'SUMIDX', 11: 'SUMDICT', 12: 'IDS',
         13: 'IDSIDX'}


def table(data):
    """(id, crc, offset, length) of each section the header counts."""
    n = min(struct.unpack_from('<I', data, 12)[0], MAX_SECTIONS)
    return [struct.unpack_from('<IIQQ', data, 64 + 24 * i) for i in range(n)]
