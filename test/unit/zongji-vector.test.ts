import { describe, expect, it } from 'vitest';
import { BLOB_TYPE, VECTOR_TYPE, positionsOf, withType } from '../../src/verify/zongji-vector.js';

describe("the reader's VECTOR patch", () => {
  it('finds each VECTOR column of a table map and reads it as a BLOB, leaving the others', () => {
    const types = [3, VECTOR_TYPE, 15, VECTOR_TYPE, 254];
    expect(positionsOf(types, VECTOR_TYPE)).toEqual([1, 3]);
    expect(withType(types, [1, 3], BLOB_TYPE)).toEqual([3, 252, 15, 252, 254]);
    expect(types).toEqual([3, 242, 15, 242, 254]);
    expect(positionsOf([3, 15], VECTOR_TYPE)).toEqual([]);
  });
});
