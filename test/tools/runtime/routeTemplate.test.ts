import { HttpHostError } from '../../../tools/runtime/httpError';
import { compileRoute } from '../../../tools/runtime/routeTemplate';

describe('route templates', () => {
  it('compiles catch-all, defaults and complex segments', () => {
    expect(compileRoute('files/{*path}').match(['files', 'a', 'b c'])).toEqual({ path: 'a/b c' });
    expect(compileRoute('files/{*path}').match(['files'])).toEqual({});
    expect(compileRoute('page/{n:int=1}').match(['page'])).toEqual({ n: '1' });
    expect(compileRoute('report/{day}.{ext:alpha}').match(['report', '2024-03-08.json'])).toEqual({
      day: '2024-03-08',
      ext: 'json',
    });
    expect(compileRoute('x/{id:range(1,10)}').match(['x', '11'])).toBeUndefined();
    expect(compileRoute('x/{id:guid}').match(['x', '0f8fad5b-d9cb-469f-a165-70867728950e'])).toEqual({
      id: '0f8fad5b-d9cb-469f-a165-70867728950e',
    });
  });

  it('rejects invalid templates', () => {
    expect(() => compileRoute('a/{id')).toThrow('route "a/{id": unbalanced "{"');
    expect(() => compileRoute('a/{id}/{id}')).toThrow('route "a/{id}/{id}": parameter "id" appears twice');
    expect(() => compileRoute('a/{*rest}/b')).toThrow('catch-all parameter "rest" must be last');
    expect(() => compileRoute('a/{id?}/b')).toThrow(
      'an optional parameter must not be followed by required segments',
    );
    expect(() => compileRoute('a/{id:nope}')).toThrow(HttpHostError);
  });
});
