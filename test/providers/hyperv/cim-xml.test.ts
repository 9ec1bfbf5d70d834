// Parsing embedded Msvm_KvpExchangeDataItem instances (CIM-XML), as Hyper-V puts them in
// GuestExchangeItems / GuestIntrinsicExchangeItems / HostExchangeItems.
import t from 'tap';
import { parseKvpItem, parseKvpItems } from '../../../harness/providers/hyperv/cim-xml.ts';

// Laid out as in Microsoft's sample "Getting the virtual machine DNS name" (Hyper-V WMI
// documentation, MicrosoftDocs/win32), values changed.
const documented = `<INSTANCE CLASSNAME="Msvm_KvpExchangeDataItem">
      <PROPERTY NAME="Caption" PROPAGATED="true" TYPE="string"></PROPERTY>
      <PROPERTY NAME="Data" TYPE="string">
         <VALUE>guest.example.org</VALUE>
      </PROPERTY>
      <PROPERTY NAME="Description" PROPAGATED="true" TYPE="string"></PROPERTY>
      <PROPERTY NAME="ElementName" PROPAGATED="true" TYPE="string"></PROPERTY>
      <PROPERTY NAME="Name" TYPE="string">
         <VALUE>FullyQualifiedDomainName</VALUE>
      </PROPERTY>
      <PROPERTY NAME="Source" TYPE="uint16">
         <VALUE>2</VALUE>
      </PROPERTY>
</INSTANCE>`;

t.test('the documented layout', async (t) => {
  t.same(parseKvpItem(documented), { name: 'FullyQualifiedDomainName', data: 'guest.example.org', source: 2 });
});

t.test('entities, empty values, self-closing properties, trailing NULs', async (t) => {
  const item = (inner: string) => `<INSTANCE CLASSNAME="Msvm_KvpExchangeDataItem">${inner}</INSTANCE>`;
  t.same(
    parseKvpItem(item('<PROPERTY NAME="Name" TYPE="string"><VALUE>a&amp;b</VALUE></PROPERTY><PROPERTY NAME="Data" TYPE="string"><VALUE>&lt;x&gt; &quot;q&quot; &#39;s&#39; &#x263A;</VALUE></PROPERTY><PROPERTY NAME="Source" TYPE="uint16"><VALUE>1</VALUE></PROPERTY>')),
    { name: 'a&b', data: '<x> "q" \'s\' \u263A', source: 1 },
  );
  t.same(parseKvpItem(item('<PROPERTY NAME="Name" TYPE="string"><VALUE>k</VALUE></PROPERTY><PROPERTY NAME="Data" TYPE="string"><VALUE></VALUE></PROPERTY>')), { name: 'k', data: '', source: null });
  t.same(parseKvpItem(item('<PROPERTY NAME="Caption" TYPE="string"/><PROPERTY NAME="Name" TYPE="string"><VALUE>k</VALUE></PROPERTY><PROPERTY NAME="Data" TYPE="string"><VALUE>v\0\0</VALUE></PROPERTY>')), { name: 'k', data: 'v', source: null });
});

t.test('anything else is not an item', async (t) => {
  t.equal(parseKvpItem('<INSTANCE CLASSNAME="Msvm_Error"><PROPERTY NAME="Name"><VALUE>x</VALUE></PROPERTY></INSTANCE>'), null, 'another class');
  t.equal(parseKvpItem('<INSTANCE CLASSNAME="Msvm_KvpExchangeDataItem"><PROPERTY NAME="Data"><VALUE>x</VALUE></PROPERTY></INSTANCE>'), null, 'no Name');
  t.equal(parseKvpItem('not xml'), null);
  t.same(parseKvpItems([documented, null, 3, 'junk']).map((i) => i.name), ['FullyQualifiedDomainName'], 'non-strings and junk are dropped');
});
